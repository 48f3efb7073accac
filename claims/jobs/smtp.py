"""Django's SMTP email backend, telling a message refused from one probably delivered.

When the connection fails after the whole message (up to the DATA terminator) has been written
to the server, and before the server's final reply came, the server may well have stored it:
sending it again may deliver a second copy. This backend raises `MessageHandedOver` in that one
case, so that claims.jobs.notifications can retry it at most once instead of with its full backoff.
Every other failure (refused before or at DATA, a 4xx/5xx final reply) is raised as Django's
backend raises it. settings.MAILERS selects this backend for smtp:// EMAIL_URLs.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend


class MessageHandedOver(smtplib.SMTPException):
    """The server received the whole message but its final reply never came."""


class _RecordsHandOver:
    """Notes when the message body and its terminator have been written, until a reply is
    read: `awaiting_final_reply` is true exactly while the server holds the whole message and
    has not answered for it."""

    awaiting_final_reply = False
    _in_data = False

    def data(self, msg):
        self._in_data, self.awaiting_final_reply = True, False
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s):
        super().send(s)
        # In DATA, the only bytes sent are the message itself, ending "\r\n.\r\n" (the command
        # "data\r\n" is a str).
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.awaiting_final_reply = True

    def getreply(self):
        reply = super().getreply()
        self.awaiting_final_reply = False
        return reply


class _SMTP(_RecordsHandOver, smtplib.SMTP):
    pass


class _SMTPOverSSL(_RecordsHandOver, smtplib.SMTP_SSL):
    pass


class EmailBackend(DjangoSMTPBackend):
    """Django's SMTP backend, raising `MessageHandedOver` when a message may have been stored."""

    @property
    def connection_class(self):
        return _SMTPOverSSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        try:
            return super()._send(email_message)
        except (smtplib.SMTPException, OSError) as error:
            if getattr(self.connection, "awaiting_final_reply", False):
                raise MessageHandedOver(
                    f"The server took the message but did not confirm it: {error}"
                ) from error
            raise

// The claim page (claims/admin.py ClaimAdmin): the deadline a save would store, shown under
// the horizon words while an editor types them or the date. The server reads them as the save
// does (claims/forms.py preview_deadline -> claims/deadlines.py); nothing is saved. A static
// file, because the Content-Security-Policy refuses inline scripts.
"use strict";
(function () {
    function start() {
        const words = document.getElementById("id_deadline_text");
        if (!words || !words.dataset.previewUrl) {
            return;
        }
        const date = document.getElementById("id_deadline");
        const precision = document.getElementById("id_deadline_precision");
        const article = document.getElementById("id_article");
        const output = document.createElement("p");
        output.id = "deadline-preview";
        output.className = "registry-deadline-preview";
        output.setAttribute("aria-live", "polite");
        words.insertAdjacentElement("afterend", output);
        words.setAttribute("aria-describedby", [words.getAttribute("aria-describedby"), output.id]
            .filter(Boolean).join(" "));

        let timer = null;
        let latest = 0;

        function changed(input) {
            return input && input.value !== input.defaultValue ? "1" : "0";
        }

        async function refresh() {
            const query = new URLSearchParams({
                words: words.value,
                date: date ? date.value.trim() : "",
                precision: precision ? precision.value : "",
                article: article ? article.value : "",
                date_changed: changed(date),
                words_changed: changed(words),
            });
            const asked = ++latest;
            try {
                const response = await fetch(`${words.dataset.previewUrl}?${query}`, {
                    credentials: "same-origin",
                    headers: {Accept: "application/json"},
                });
                const answer = await response.json();
                if (asked !== latest) {
                    return;  // a newer question is on its way
                }
                output.classList.toggle("registry-error", !response.ok);
                output.textContent = response.ok
                    ? `Deadline on save: ${answer.says}`
                    : answer.error;
            } catch (error) {
                if (asked === latest) {
                    output.classList.add("registry-error");
                    output.textContent = "The deadline preview is not available; it is worked out on save.";
                }
            }
        }

        function soon() {
            clearTimeout(timer);
            timer = setTimeout(refresh, 250);
        }

        for (const input of [words, date, precision, article]) {
            if (input) {
                input.addEventListener("input", soon);
                input.addEventListener("change", soon);
            }
        }
        // The article's autocomplete (select2) announces a choice through jQuery only.
        if (article && window.django && window.django.jQuery) {
            window.django.jQuery(article).on("change", soon);
        }
        refresh();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();

"""The words the intake reads claims by: quantities, hedges, claimants, kinds, boilerplate.

Every rule is a pattern an editor can read and argue with; nothing here is learned from data.
"""

from __future__ import annotations

import re

# --- Quantities ---------------------------------------------------------------------------------

_UNIT = (
    r"(?:\s?(?:%|percent\b|per cent\b|percentage points?\b|pp\b|bps\b|basis points\b)"
    r"|\s?(?:bn|b|m|k|tn|t)\b(?!-)|\s(?:billion|million|trillion|quadrillion|quintillion|thousand"
    r"|hundred|crore|lakh)\b|x\b|-fold\b)?"
)
_CURRENCY = r"(?:[$€£¥₹]|US\$|USD\s?|EUR\s?|RMB\s?|CNY\s?|yuan\s?)"
# A number that is an amount: not a part of a name ("5G", "Covid-19", "GPT-5.5"), an ordinal
# ("14th") or a section sign ("§ 5").
QUANTITY = re.compile(
    rf"(?<![\w.\-—/§#])(?:~|≈|about |over |under |more than |less than |up to |nearly |almost )?"
    rf"{_CURRENCY}?\d+(?:,\d{{3}})*(?:\.\d+)?{_UNIT}(?![\w\-—/]|\.\d)",
    re.I,
)
NUMBER_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty"
    r"|fifty|hundred|hundreds|thousand|thousands|millions|billions|dozen|dozens|half|double|doubled"
    r"|doubling|triple|tripled|halve|halved|twice|a third|a quarter)\b",
    re.I,
)
BARE_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")

# --- Hedges: the word that says how sure the claim is ------------------------------------------

ASSERTED, EXPECTED, POSSIBLE, TARGET = "asserted", "expected", "possible", "target"
HEDGES: list[tuple[str, re.Pattern[str]]] = [
    (
        TARGET,
        re.compile(
            r"\b(?:aims? to|aiming to|aimed at|plans to|planning to|planned to|intends? to"
            r"|intending to|seeks? to|seeking to|targets? (?:a|an|the|of|to|for|\d)"
            r"|(?:goal|target|objective)s? (?:is|are|was|of|to)"
            r"|with the (?:goal|aim|target|objective)"
            r"|calls? for|stipulates?|commits? to|committed to|pledged? to|vowed? to|should"
            r"|is to|are to|wants? to|strives? to|determined to|requires?|required to)",
            re.I,
        ),
    ),
    (
        EXPECTED,
        re.compile(
            r"\b(?:(?:is|are|was|were) (?:widely |also )?expected to|expected to|expects?"
            r"|(?:is|are) projected|projected|forecasts?|forecasted"
            r"|projects(?= (?!(?:are|is|were|was|have|has|in|of|for|and|with|to|on|that|which|like"
            r"|such|include|includes|included)\b)[a-z])"
            r"|predicts?|predicted|prediction|(?:is |are )?likely|unlikely|anticipated?"
            r"|estimated to|on track to|poised to|stands? to)\b",
            re.I,
        ),
    ),
    (POSSIBLE, re.compile(r"\b(?:could|might|may(?! \d)|possibly|potentially)\b")),
    (
        ASSERTED,
        re.compile(
            r"\b(?:will|won['’]t|shall|(?:is|are) set to|(?:is|are) going to|will continue to)\b",
            re.I,
        ),
    ),
]
_FORECAST_NOUNS = re.compile(r"\b(?:projected|forecast|expected|estimated?|outlook)\b", re.I)


def hedge(text: str) -> tuple[str, str]:
    """The hedge word of a clause and its class; a stronger class wins over a weaker one.

    Target words win (a plan that "will" is still a plan), then "expected" over "could" over
    "will" ("will likely" is expected, not asserted).
    """
    for hedge_class, pattern in HEDGES:
        if match := pattern.search(text):
            return match[0], hedge_class
    return "", ""


# --- Kinds ----------------------------------------------------------------------------------------

# A list item or sentence that opens with one of these verbs is an instruction a plan gives.
POLICY_VERBS = re.compile(
    r"^(?:achieve|accelerate|advance|boost|build|complete|construct|create|cultivate|cut|deepen"
    r"|deploy|develop|double|enhance|ensure|establish|expand|explore|foster|grow|halve|implement"
    r"|improve|increase|intensify|introduce|launch|leverage|limit|lower|make|modernize|modernise"
    r"|optimize|optimise|phase out|promote|raise|reach|reduce|reform|speed up|step up|strengthen"
    r"|support|triple|upgrade|attain|eliminate|form|guide|encourage|set up|provide|restrict"
    r"|standardize|standardise)\b",
    re.I,
)
# Who sets targets when they say "will".
GOVERNMENT = re.compile(
    r"\b(?:government|ministry|minister|state council|council|commission|administration|agency"
    r"|bureau|department|authorit(?:y|ies)|regulators?|parliament|congress|the state|beijing"
    r"|plan|strategy|policy|programme|program|initiative|guidelines?|opinions?|notice"
    r")\b",
    re.I,
)
# Documents that set targets when they say something "will" happen.
DOCUMENT = re.compile(
    r"\b(?:plan|strategy|programme|program|guidelines?|opinions?|notice|law|regulation|directive"
    r"|white paper|five-year plan)\b",
    re.I,
)
# Past events an article reports: each is a statistic, checkable at publication.
PAST_EVENT = re.compile(
    r"\b(?:issued|released|approved|launched|announced|published|signed|unveiled|raised|reported"
    r"|reportedly|completed|opened|introduced|adopted|enacted|began|received|cancell?ed|cancels"
    r"|acquired|hired|overtook|overtaken|surpassed|exceeded|outlined|wrote|has developed|specified"
    r"|have developed|took effect|came into force)\b",
    re.I,
)
STATE_OF_FACTS = re.compile(
    r"\b(?:has|have|had) (?:already |now |recently |just |also )?\w+ed\b"
    r"|\balready\b|\bnone of the\b"
    r"|\b(?:largest|biggest|smallest|first|highest|lowest|top \d+|second biggest)\b|\bdominat\w+"
    r"|\b(?:is|are) (?:seeing|on par|below|above|among|now)\b"
    r"|\b(?:is|are) (?:now )?(?:flowing|shifting|moving|rising|falling|growing|declining|increasing"
    r"|decreasing|expanding|shrinking|slowing|accelerating|pivoting|ramping)\b"
    r"|\b(?:profit|profitability|revenue|earnings|sales|output|exports?|imports?|prices?)\b.{0,30}"
    r"\b(?:dip|drop|decline|rise|growth|gain|fall|beat|miss)\b"
    r"|\b(?:dip|drop|decline|rise|stronger|weaker|higher|lower)\b.{0,30}"
    r"\b(?:profit|profitability|revenue|earnings|sales|output|exports?|imports?|prices?)\b"
    r"|['’]s (?:proposal|decision|draft|notice|guideline|move) to\b",
    re.I,
)
# A hedge in a clause that hangs off the main one ("…, aiming to", "which seeks to", "that
# will") says what something is for, not what the sentence claims.
SUBORDINATE = re.compile(
    r"(?:\b(?:which|that|where|who|whom|whose)(?:\s+\S+){0,6}|,\s*(?:aiming|seeking|designed"
    r"|intended|aimed|in order)|\b(?:designed|intended|aimed))\s*$",
    re.I,
)
# "… is that X will": a complement clause, which carries the sentence's claim.
COMPLEMENT = re.compile(
    r"\b(?:is|are|was|were|says?|said|shows?|showed|indicates?|means|believes?|predicts?|expects?"
    r"|reports?|reported|notes?|noted|suggests?|argues?|claims?|warns?|thinks?|estimates?)\s+\w?$",
    re.I,
)
# Government bodies that set targets when they say "will approve", "will issue"…
ACT_OF_STATE = re.compile(
    r"\bwill (?:approve|issue|allocate|subsidi[sz]e|mandate|require|designate|select|license"
    r"|ban|impose|fund|invest|build|establish|set up)\b",
    re.I,
)
# Reader instructions, not claims ("Monitor…", "Look for…").
READER_INSTRUCTION = re.compile(
    r"^(?:monitor|look|pay attention|keep an eye|observe|consider|read|see|click|watch|follow"
    r"|subscribe|sign up|learn|find out|check|note)\b",
    re.I,
)
# Judgements with nothing to check.
OPINION = re.compile(
    r"\b(?:our verdict|in our view|we believe|i believe|we think|i think|arguably|in essence"
    r"|must\b|needs? to|ought to"
    r"|will be (?:to|crucial|key|essential|important|critical|vital)\b"
    r"|it is (?:clear|obvious|important)|is emblematic|is unproven"
    r"|key question|open question|remains to be seen|not to be ignored|is fraught)",
    re.I,
)

# --- Claimants ----------------------------------------------------------------------------------

ACCORDING_TO = re.compile(
    r"\baccording to (?P<who>[^,.;:()]{2,80}?)(?=[,.;:()]|$| (?:the|a|an) )", re.I
)
_SAYS = (
    r"(?:says|said|say|forecasts?|projects|predicts?|expects?|estimates?|reports?|reported"
    r"|reportedly|states|stated|announced|argues|argued|notes|noted|finds|found|shows|showed"
    r"|warns|warned|believes|calls for|stipulates|sets|set out|aims|plans|intends|targets"
    r"|wants|seeks|will|launched|issued|released|indicates|indicated|predicted|projected"
    r"|writes|wrote|approved|unveiled|published)"
)
_ROLE = (
    r"(?:government|ministry|minister|analysts?|firm|plan|bank|agency|commission|council|report"
    r"|strategy|study|survey|institute|researchers?|economists?|officials?|company|forecasters?"
    r"|consultancy|research|document|opinions?|guidelines?|notice|programme|program|initiative"
    r"|regulators?|authorit(?:y|ies)|administration|bureau|office|department|data)"
)
_NAME = r"[A-Z][\w&.'’\-]*"
# The noun phrase just before a verb of saying or planning: "Ministry of Industry and
# Information Technology (MIIT) indicates", "an analyst firm forecasts", "the plan says".
SAYS = re.compile(
    rf"(?P<who>(?:(?:the|an?|its|their)\s+)?(?:{_NAME}['’]s\s+)?"
    rf"(?:(?:{_NAME}|of|for|and|&|the)\s+){{0,7}}?(?:(?:[a-z]+\s+){{0,2}}{_ROLE}|{_NAME})"
    rf"(?:\s+\([A-Z][\w&.\-]*\))?)\s+(?:has\s+|have\s+|had\s+)?(?:recently\s+|also\s+)?{_SAYS}\b"
)
NOT_WHO = re.compile(
    r"^(?:we|i|it|this|that|these|those|they|there|he|she|which|who|the|a|an|and|but|however"
    r"|moreover|so|in|for|as|to|by|of|with|research|data|report)$",
    re.I,
)

# --- Boilerplate ----------------------------------------------------------------------------------

BOILERPLATE_LINE = re.compile(
    r"was this (?:article |page |post )?(?:helpful|useful)|likes and saves"
    r"|leave a (?:reply|comment)"
    r"|your email address|required fields|newsletter|unsubscribe|privacy policy|cookie|all rights"
    r"|reserved|©|\bfollow us\b|share this|sign up|subscribe|read more|you may also like"
    r"|related (?:articles|posts|stories)|further reading|for more information|contact us"
    r"|please contact|\bcontact\b.*[:@]|\S+@\S+\.\w+|\btel\.?\s*[:+]|\bphone\s*:|\bfax\s*:|www\.\w"
    r"|https?://|about us|is powered by|advertisement|image\s*/\s*photo|photo by|\bphoto\s*:"
    r"|credit\s*:|skip to content|\bmin read\b|published articles|this content is protected"
    r"|^(?:notes?|sources?|image|figure|chart|exhibit)\s*\d*\s*:|(?:\.{3,}|\t)\s*\d+\s*$"
    r"|no spam|all comments|terms of (?:use|service)|\bpermalink\b|discussion is powered",
    re.I,
)
# Where the article ends and the page's furniture begins.
END_OF_ARTICLE = re.compile(
    r"^(?:further reading|related(?: articles| posts| stories| content)?"
    r"|you may also like|read next"
    r"|more from .{0,40}|comments?|leave a reply|sources?|references|about the authors?|authors?"
    r"|editors?|publisher|newsletter|share this(?: article)?|tags?|archive|footnotes?"
    r"|recommended|popular|most read|more stories)\s*:?$",
    re.I,
)
# An outlet describing itself: "Foo is a leading provider of…", "Foo is published by…".
ABOUT_US = re.compile(
    r"^\S.{0,60}? (?:is|are) (?:a|an|the) (?:\w+ ){0,5}(?:provider|publisher|platform|newsletter"
    r"|magazine|think tank|institute|consultancy|organi[sz]ation|news (?:site|service|outlet)"
    r"|media (?:company|group))\b|^(?:we are|about)\b",
    re.I,
)
ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "it",
        "as",
        "was",
        "with",
        "be",
        "by",
        "on",
        "not",
        "he",
        "this",
        "are",
        "or",
        "his",
        "from",
        "at",
        "which",
        "but",
        "have",
        "an",
        "they",
        "you",
        "were",
        "their",
        "has",
        "had",
        "its",
        "will",
        "would",
        "there",
        "been",
        "more",
        "also",
        "can",
        "than",
    ]
)

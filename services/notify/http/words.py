"""The worker page's words: Japanese first in やさしい日本語 with furigana, and English.

Labels are ours and carry <ruby> markup; everything that comes from a request (titles,
places, what to bring) is inserted by the template and escaped there.
"""

from markupsafe import Markup, escape


def rb(kanji: str, reading: str) -> Markup:
    """Kanji with its reading above it (technique H62: ruby, rt and rp)."""
    return Markup("<ruby>{}<rp>（</rp><rt>{}</rt><rp>）</rp></ruby>").format(
        escape(kanji), escape(reading)
    )


def ja(*parts: str | Markup) -> Markup:
    """Join plain text (escaped) and ruby markup."""
    return Markup("").join(escape(part) for part in parts)


WORDS: dict[str, dict[str, Markup]] = {
    "ja": {
        "brand": ja("しごとコンビニ"),
        "title": ja("あなたの", rb("仕事", "しごと")),
        "offers": ja(rb("仕事", "しごと"), "の", rb("お知", "し"), "らせ"),
        "no_offers": ja(
            "いま、", rb("新", "あたら"), "しいお", rb("知", "し"), "らせは ありません。"
        ),
        "jobs": ja("これからの", rb("仕事", "しごと")),
        "no_jobs": ja("これからの", rb("仕事", "しごと"), "は ありません。"),
        "past": ja("おわったお", rb("知", "し"), "らせ"),
        "when": ja(rb("日時", "にちじ")),
        "where": ja(rb("場所", "ばしょ")),
        "at_home": ja(rb("家", "いえ"), "でできます"),
        "pay": ja("お", rb("金", "かね")),
        "hourly": ja(rb("時給", "じきゅう")),
        "fixed": ja("1", rb("回", "かい")),
        "travel": ja(rb("交通費", "こうつうひ")),
        "bring": ja(rb("持", "も"), "ち", rb("物", "もの")),
        "answer_by": ja(rb("返事", "へんじ"), "のしめきり"),
        "accept": ja("うける"),
        "decline": ja("ことわる"),
        "accepted": ja(
            "「うける」と",
            rb("返事", "へんじ"),
            "しました。",
            rb("決", "き"),
            "まったら ここに",
            rb("出", "で"),
            "ます。",
        ),
        "declined": ja(
            "「ことわる」と", rb("返事", "へんじ"), "しました。ありがとうございました。"
        ),
        "assigned": ja(
            "あなたに", rb("決", "き"), "まりました。よろしくお", rb("願", "ねが"), "いします。"
        ),
        "taken": ja(
            "ごめんなさい。この",
            rb("仕事", "しごと"),
            "は もう ほかの",
            rb("人", "ひと"),
            "に",
            rb("決", "き"),
            "まりました。また お",
            rb("知", "し"),
            "らせします。",
        ),
        "withdrawn": ja("この お", rb("知", "し"), "らせは とりけしになりました。"),
        "expired": ja(rb("返事", "へんじ"), "のしめきりが すぎました。"),
        "cancelled": ja("この", rb("仕事", "しごと"), "は なくなりました。"),
        "check_in": ja("はじめる（", rb("到着", "とうちゃく"), "）"),
        "check_out": ja("おわる"),
        "minutes": ja("はたらいた", rb("時間", "じかん"), "（", rb("分", "ふん"), "）"),
        "checked_in": ja("はじめました"),
        "checked_out": ja("おわりました。おつかれさまでした。"),
        "back": ja("もどる"),
        "switch": Markup("English"),
        "switch_lang": Markup("en"),
        "updated": ja(rb("新", "あたら"), "しいお", rb("知", "し"), "らせがあります"),
        "bad_link": ja(
            "このリンクは つかえません。",
            rb("事務局", "じむきょく"),
            "に",
            rb("電話", "でんわ"),
            "してください。",
        ),
        "not_found": ja("みつかりませんでした。"),
        "yen": Markup("円"),
    },
    "en": {
        "brand": Markup("Shigoto Conbini"),
        "title": Markup("Your jobs"),
        "offers": Markup("Job offers"),
        "no_offers": Markup("No new offers right now."),
        "jobs": Markup("Your upcoming jobs"),
        "no_jobs": Markup("No upcoming jobs."),
        "past": Markup("Earlier offers"),
        "when": Markup("When"),
        "where": Markup("Where"),
        "at_home": Markup("At home"),
        "pay": Markup("Pay"),
        "hourly": Markup("per hour"),
        "fixed": Markup("per task"),
        "travel": Markup("Travel"),
        "bring": Markup("Bring"),
        "answer_by": Markup("Answer by"),
        "accept": Markup("Accept"),
        "decline": Markup("Decline"),
        "accepted": Markup("You said yes. We will show here when it is decided."),
        "declined": Markup("You said no. Thank you."),
        "assigned": Markup("The job is yours. Thank you."),
        "taken": Markup(
            "Sorry, this job already went to someone else. We will tell you about the next one."
        ),
        "withdrawn": Markup("This offer was withdrawn."),
        "expired": Markup("The time to answer has passed."),
        "cancelled": Markup("This job was cancelled."),
        "check_in": Markup("Start (check in)"),
        "check_out": Markup("Finish (check out)"),
        "minutes": Markup("Minutes worked"),
        "checked_in": Markup("Started"),
        "checked_out": Markup("Finished. Thank you for your work."),
        "back": Markup("Back"),
        "switch": ja("にほんご"),
        "switch_lang": Markup("ja"),
        "updated": Markup("There is news"),
        "bad_link": Markup("This link cannot be used. Please call the office."),
        "not_found": Markup("Not found."),
        "yen": Markup(""),
    },
}

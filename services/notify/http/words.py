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
        "worked": ja("はたらいた", rb("時間", "じかん")),
        "minutes_unit": ja(rb("分", "ふん")),
        "checked_in": ja("はじめました"),
        "checked_out": ja(
            "おわりました。おつかれさまでした。",
            rb("依頼主", "いらいぬし"),
            "が ",
            rb("確", "たし"),
            "かめたら、お",
            rb("金", "かね"),
            "が ここに ",
            rb("出", "で"),
            "ます。",
        ),
        "completed": ja(
            rb("依頼主", "いらいぬし"),
            "が ",
            rb("確", "たし"),
            "かめました。おつかれさまでした。",
        ),
        "disputed": ja(
            "この",
            rb("仕事", "しごと"),
            "の お",
            rb("金", "かね"),
            "は いま ",
            rb("確認中", "かくにんちゅう"),
            "です。",
            rb("決", "き"),
            "まったら ここに ",
            rb("出", "で"),
            "ます。",
        ),
        "no_show": ja("この", rb("仕事", "しごと"), "は とりけしに なりました。"),
        "done": ja("おわった", rb("仕事", "しごと")),
        "a_job": ja("お", rb("仕事", "しごと")),
        "pay_expected": ja("よていの ", rb("金額", "きんがく")),
        "tax_note": ja(rb("税金", "ぜいきん"), "が ひかれる ことが あります。"),
        "travel_in": ja("（", rb("交通費", "こうつうひ"), " {} を ふくみます）"),
        "check_in_from": ja("「はじめる」は {}から おせます。"),
        "check_out_from": ja("「おわる」は {}から おせます。"),
        "check_in_closed": ja(
            "「はじめる」の ",
            rb("時間", "じかん"),
            "は すぎました。はたらいた ときは ",
            rb("事務局", "じむきょく"),
            "に ",
            rb("電話", "でんわ"),
            "してください。",
        ),
        "refused_too_early": ja(
            "まだ ",
            rb("早", "はや"),
            "いので、",
            rb("受", "う"),
            "け",
            rb("付", "つ"),
            "けませんでした。",
        ),
        "refused_too_late": ja(
            rb("時間", "じかん"),
            "が すぎたので、",
            rb("受", "う"),
            "け",
            rb("付", "つ"),
            "けませんでした。",
        ),
        "refused_ended": ja(
            "この", rb("仕事", "しごと"), "は もう ", rb("変", "か"), "わりました。"
        ),
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
        "past": Markup("Earlier notices"),
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
        "worked": Markup("Time worked"),
        "minutes_unit": Markup(" min"),
        "checked_in": Markup("Started"),
        "checked_out": Markup(
            "Finished. Thank you for your work. The pay shows here once the requester confirms."
        ),
        "completed": Markup("The requester confirmed the work. Thank you."),
        "disputed": Markup(
            "The pay for this job is on hold while it is checked. It shows here once settled."
        ),
        "no_show": Markup("This job was called off."),
        "done": Markup("Finished work"),
        "a_job": Markup("A job"),
        "pay_expected": Markup("Expected pay"),
        "tax_note": Markup("Income tax may be withheld."),
        "travel_in": Markup(" (including {} travel)"),
        "check_in_from": Markup("You can press Start from {}."),
        "check_out_from": Markup("You can press Finish from {}."),
        "check_in_closed": Markup(
            "The time to press Start has passed. If you worked, please call the office."
        ),
        "refused_too_early": Markup("It is too early: nothing was recorded."),
        "refused_too_late": Markup("The time has passed: nothing was recorded."),
        "refused_ended": Markup("This job has changed: nothing was recorded."),
        "back": Markup("Back"),
        "switch": ja("にほんご"),
        "switch_lang": Markup("ja"),
        "updated": Markup("There is news"),
        "bad_link": Markup("This link cannot be used. Please call the office."),
        "not_found": Markup("Not found."),
        "yen": Markup(""),
    },
}

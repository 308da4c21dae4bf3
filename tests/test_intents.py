"""Reading free text (bot/core/intents.py): the corpus of residents' messages measured with the app's own intents
(by cross-validation, since the examples files hold its lines) and a held-out set the model never learnt, the
reader's rules one by one (accents, shorthand, typos, numbers, emergencies first, close readings, the detectors of
pasted numbers and receipt codes), and the model learnt from examples. `pytest -s` prints the corpus reports."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.core.intent_data import Mode, load
from bot.core.intents import ENOUGH, Reader, label_of
from bot.core.wording import holds_any, same, words
from bot.security import new_code
from bot.tools.intents import (
    FOLDS,
    RETYPED,
    Scores,
    app_reader,
    measure,
    read_corpus,
    report,
    retyped,
    summary,
)
from handlers.alerts.detect import ALONE, FORWARDED, pasted_identifiers
from handlers.tips.detect import FOUND, PART, receipt_code

CORPUS = Path(__file__).parent / "corpus"
LABELS = {
    "togiac", "emergency", "hoagiai", "kiemtra", "tracuu", "camket", "canhbao", "tatthongtin", "toi", "xoadulieu",
    "ngonngu", "bantin", "pccc", "phananh", "baocao", "camera", "xincamera", "none",
}  # fmt: skip


def check_thresholds(scores: Scores, accuracy: float) -> None:
    misread_none = [
        (e.line, e.text, got) for e, got in scores.examples if e.label == "none" and got != "none"
    ]
    assert not misread_none, f"'none' messages read as something: {misread_none}"
    assert scores.recall("emergency") == 1.0, [m for m in scores.misses() if m[0].label == "emergency"]
    assert scores.recall("togiac") >= 0.95
    assert scores.accuracy >= accuracy


def test_the_corpus_is_read_well_enough() -> None:
    reader, corpus = app_reader(), read_corpus(CORPUS / "intents.tsv")
    # The examples files hold the corpus: it is measured in parts, each by a model that never learnt it.
    learnt = reader.learnt()
    assert all(same(e.text) in learnt for e in corpus)
    for part in range(FOLDS):
        held = corpus[part::FOLDS]
        assert not {same(e.text) for e in held} & reader.without(e.text for e in held).learnt()
    scores = measure(reader, corpus)
    print("\n" + report(scores, show_misses=True))
    check_thresholds(scores, accuracy=0.90)


def test_messages_never_tuned_on_are_read_well_enough() -> None:
    reader, holdout = app_reader(), read_corpus(CORPUS / "intents_holdout.tsv")
    learnt = reader.learnt()
    assert not any(same(e.text) in learnt for e in holdout)  # never copied into an examples file
    scores = measure(reader, holdout)
    print("\n" + report(scores, show_misses=True))
    check_thresholds(scores, accuracy=0.85)


def test_the_fresh_sets_are_not_copied_into_the_examples() -> None:
    # Each written blind (by someone who read no intents, examples or corpus file) before the reader was changed
    # for it, measured before and after (figures in their headers). They stay out of the examples files so that
    # they keep measuring words the model never learnt. Short everyday messages ("ok", "xin chào", "hòa giải") were
    # written the same way by earlier sessions, independently: `measure` reads those by cross-validation. The
    # figures are printed, not asserted: some sets are below the thresholds (see their headers).
    reader = app_reader()
    learnt = reader.learnt()
    sets = {name: read_corpus(CORPUS / name) for name in sorted(p.name for p in CORPUS.glob("fresh_*.tsv"))}
    everyday: list[str] = []
    for name, fresh in sets.items():
        assert len(fresh) >= 150 and {e.label for e in fresh} <= LABELS
        shared = [e.text for e in fresh if same(e.text) in learnt]
        assert len(shared) <= 20 and all(len(words(text)) <= 12 for text in shared), (name, shared)
        everyday += shared
    # One model that learnt none of the sets' lines reads them all (cross-validating each set learnt 65 models).
    unseen = reader.without(everyday)
    for name, fresh in sets.items():
        print(summary(name, measure(unseen, fresh)))


def test_the_corpus_retyped_as_others_type_is_still_read() -> None:
    # The same messages without accents, in shorthand, with slips, run together: spellings nobody wrote examples
    # in. Each part is read by a model that never learnt its messages. Accents gone, a few everyday messages
    # become truly ambiguous ("chay" is "chạy", running, or "cháy", fire): a handful may open something.
    reader, corpus = app_reader(), read_corpus(CORPUS / "intents.tsv")
    for name, how in RETYPED.items():
        scores = retyped(reader, corpus, how)
        print(summary(name, scores))
        opened = [e.text for e, got in scores.examples if e.label == "none" and got != "none"]
        assert scores.accuracy >= 0.93 and scores.recall("emergency") >= 0.93, name
        assert scores.recall("togiac") >= 0.90 and len(opened) <= 6, (name, opened)


def test_the_corpus_is_big_and_spread_enough() -> None:
    examples = read_corpus(CORPUS / "intents.tsv")
    counts = Counter(e.label for e in examples)
    assert len(examples) >= 320 and set(counts) <= LABELS
    wanted = {
        "none": 60,
        "togiac": 60,
        "emergency": 25,
        "hoagiai": 30,
        "kiemtra": 30,
        "tracuu": 12,
        "camket": 15,
    }
    assert all(counts[label] >= n for label, n in wanted.items()), counts
    assert len({e.text for e in examples}) == len(examples)  # no message twice
    holdout = read_corpus(CORPUS / "intents_holdout.tsv")
    assert len(holdout) >= 60 and {e.label for e in holdout} <= LABELS
    assert not {e.text for e in holdout} & {e.text for e in examples}


def reader_from(tmp_path: Path, toml: str, **detectors: object) -> Reader:
    path = tmp_path / "intents.toml"
    path.write_text(toml, encoding="utf-8")
    return Reader(load(path, detectors))  # type: ignore[arg-type]


TIP_AND_DISPUTE = """
[danger]
command = "togiac"
mode = "emergency"
strong = ["cháy nhà", "cầm dao"]
against = ["hôm qua"]

[[danger.together]]
groups = [["đang"], ["đánh", "chém"]]

[tip]
command = "togiac"
strong = ["ma túy", "tố giác", "hẻm 5"]
phrases = ["khong duoc ngu"]
weak = ["cong an"]

[dispute]
command = "hoagiai"
strong = ["tranh chấp", "karaoke"]
phrases = ["hàng xóm"]
weak = ["bản tin"]
"""


def names(reader: Reader, text: str) -> list[str]:
    return [r.intent.name for r in reader.best(text)]


def test_accents_case_and_chat_shorthand_are_read_away(tmp_path: Path) -> None:
    assert words("Đc rồi, KO sao! sđt 0912") == ("duoc", "roi", "khong", "sao", "so", "dien", "thoai", "0912")
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    for text in ("MA TÚY", "ma tuy", "Ma Tuý?!", "tố giác", "to giac"):  # "tuý" and "túy" are one spelling
        assert names(reader, text) == ["tip"], text
    assert names(reader, "mà túy") == []  # a phrase with accents is spelt fully: "mà" is not "ma"
    assert names(reader, "hang xom ko dc ngu") == ["tip", "dispute"]  # "ko dc" is "khong duoc"


def test_accents_written_on_both_sides_must_agree(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    assert names(reader, "cháy nhà rồi") == ["danger"]
    assert names(reader, "chay nha roi") == ["danger"]  # typed without accents: it may be a fire
    assert names(reader, "chạy nhà rồi") == []  # "chạy" (run) is not "cháy" (fire)
    assert names(reader, "cầm dao") == ["danger"] and names(reader, "cầm dạo") == []
    # A strict phrase written without accents wants none: "=ngay" (right away) is not "ngày" (day) typed with its
    # accents, and may be "ngay" typed without any.
    reader = reader_from(tmp_path, '[now]\ncommand = "togiac"\nstrong = ["=ngay"]\n')
    assert names(reader, "tới ngay") == ["now"] and names(reader, "toi ngay") == ["now"]
    assert names(reader, "tới ngày") == []


def test_shorthand_stands_for_the_accented_words_it_shortens(tmp_path: Path) -> None:
    assert words("nhìu wá, đg có ng đánh nhau z") == (
        "nhieu", "qua", "dang", "co", "nguoi", "danh", "nhau", "vay",
    )  # fmt: skip
    assert words("win fan jazz") == ("win", "fan", "jazz")  # no accents: English, not "quin", "phan"
    fire = reader_from(tmp_path, '[fire]\ncommand = "togiac"\nmode = "emergency"\nstrong = ["=cháy rồi"]\n')
    assert names(fire, "nhà bà Tư cháy oy") == ["fire"]  # "oy" is "rồi", accents and all
    assert (
        names(fire, "xe chạy oy") == [] and names(fire, "chay oy") == []
    )  # running; or typed without accents
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    assert names(reader, "nó đg đánh vợ") == ["danger"]  # "đg" is "đang", as the together rule wants it


def test_words_typed_together_are_read_apart(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    assert names(reader, "chaynha") == ["danger"] and names(reader, "CHÁYNHÀ!!") == ["danger"]
    assert names(reader, "hàng xóm tranhchấp") == ["dispute"]
    assert names(reader, "karaoki") == ["dispute"]  # a typo of a known word is not split
    assert names(reader, "chaynhau") == [] and names(reader, "hẻm5") == []  # not made of known words; digits


def test_danger_said_to_be_over_or_not_urgent_is_no_emergency() -> None:
    reader = app_reader()
    for text in (
        "đám cháy dập tắt rồi, ai cũng an toàn",
        "chuyện của tôi không khẩn cấp, khi nào rảnh xem giúp",
    ):
        assert label_of(reader.best(text)) != "emergency", text
    for text in ("cháy nhà rồi, cứu với", "nhà kế bên đang cháy"):
        assert label_of(reader.best(text)) == "emergency", text


def test_danger_words_told_of_the_past_in_news_or_as_a_figure_of_speech_are_no_emergency() -> None:
    # Danger phrases are readings whatever the model says, unless words speak against them: a story of the other
    # day is a tip, news and figures of speech are nothing; danger said after the story comes back is danger now.
    reader = app_reader()
    for text, label in (
        ("hôm chủ nhật có người bị chém ở chợ, hung thủ chưa bị bắt", "togiac"),
        ("tui biết ai là người đốt nhà ông Năm hồi tháng rồi", "togiac"),
        ("hôm kia nó cầm dao dọa tụi nhỏ, bữa nay thì nó đi làm rồi", "togiac"),
        ("giá xăng bây giờ như ăn cướp", "none"),
        ("nghe tin vụ cháy nhà máy ở Bình Dương mà thương", "none"),
        ("nhanh lên em ơi trễ giờ làm rồi", "none"),
        ("câu ông bà hay nói 'cháy nhà mới ra mặt chuột' là ý gì vậy", "none"),  # a saying asked about
        # a hydrant is no fire, smoke every afternoon is a habit: problems of a public place
        ("trụ cứu hỏa đầu hẻm bị gãy, nước chảy tràn ra đường cả buổi", "phananh"),
        ("bãi đất trống sau chợ có người đốt rác mỗi chiều, khói mù mịt bay vô nhà", "phananh"),
        ("hôm qua tôi báo rồi mà giờ nó đang cầm dao đập cửa", "emergency"),
        ("bà ngoại tự nhiên líu lưỡi, nửa người không cử động được", "emergency"),
    ):
        assert label_of(reader.best(text)) == label, text


def test_one_letter_typos_in_long_words_only_and_never_in_numbers(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    for typo in ("karaoki", "karoake", "karraoke", "tranh chapp"):  # substituted, swapped, doubled, held down
        assert names(reader, typo) == ["dispute"], typo
    assert names(reader, "ma tuyy") == ["tip"]  # a held-down letter on a short word is forgiven too
    assert names(reader, "karaoooke hat") == ["dispute"]
    assert names(reader, "kraoki") == []  # two letters off
    assert names(reader, "hẻm 5") == ["tip"]
    assert (
        names(reader, "hẻm 6") == [] and names(reader, "hẻm 55") == []
    )  # a number is never "almost" another
    english = reader_from(tmp_path, '[t]\ncommand = "togiac"\nstrong = ["thief"]\n')
    assert names(english, "thieff") == ["t"] and names(english, "thiet") == []  # "thiệt" is a word of its own


def test_weak_words_need_support_unless_they_are_the_whole_message(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    assert names(reader, "bản tin") == ["dispute"]  # said alone, it is a request
    assert names(reader, "bản tin tuần này hay quá") == []
    assert names(reader, "cảm ơn công an phường") == []


def test_words_against_and_words_together(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    assert names(reader, "cháy nhà") == ["danger"]
    assert (
        names(reader, "hôm qua cháy nhà ông Ba") == []
    )  # one phrase for it, one against: no longer a reading
    assert names(reader, "hôm qua cháy nhà, giờ nó cầm dao") == ["danger"]  # two for it still read
    assert names(reader, "nó đang cầm cây đánh vợ") == ["danger"]  # "đang" and "đánh" within a few words
    assert names(reader, "đang ở nhà, tối qua xem phim đánh nhau") == ["danger"]
    far = "đang " + "và " * 10 + "đánh"
    assert names(reader, far) == []
    assert names(reader, "dang danh") == []  # lone syllables of a "together" rule need their accents


def test_words_said_against_all_of_a_command_spare_its_danger(tmp_path: Path) -> None:
    """`[all.<command>] against` is said once for every "offer" intent of the command (a tip's categories), never
    for its emergency: a joke told with crime words is no tip of any kind, but danger is never silenced."""
    reader = reader_from(
        tmp_path,
        '[all.togiac]\nagainst = ["haha", "lol"]\n'
        + TIP_AND_DISPUTE
        + '[drugs]\ncommand = "togiac"\nstrong = ["bán ma túy"]\n',
    )
    by_name = {i.name: i for i in reader.intents}
    assert by_name["tip"].against and by_name["drugs"].against
    assert not by_name["danger"].against[1:] and not by_name["dispute"].against  # "hôm qua" is its own
    assert names(reader, "nó bán ma túy")  # a tip (its generic intent or the category)
    assert names(reader, "nó bán ma túy haha lol") == []
    assert names(reader, "cháy nhà haha lol") == ["danger"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[all.togiac]\nstrong = ["x"]\n' + TIP_AND_DISPUTE, encoding="utf-8")
    with pytest.raises(ValueError, match="only 'against'"):
        load(bad)


SENSES = """
[danger]
command = "togiac"
mode = "emergency"
strong = ["cướp", "cháy"]
against = ["hôm qua", "đã báo"]
unless = ["chạy về", "cướp biển"]
now = ["mà giờ"]
"""


def test_words_that_give_a_danger_word_another_sense_cancel_it_there_only(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, SENSES)
    # Typed without accents "chay" may be "cháy" (fire) or "chạy" (run): "chay ve" is running home.
    assert names(reader, "no dang chay ve nha") == []
    assert names(reader, "xem phim cuop bien") == []
    # Danger said elsewhere in the message still counts: the snatch thief runs home after a robbery.
    assert names(reader, "cuop giat xong roi chay ve huong cho") == ["danger"]
    # Only the words written together: "hình như [đang] cháy" is no "như cháy".
    reader = reader_from(tmp_path, SENSES.replace('"chạy về"', '"như cháy"'))
    assert names(reader, "hình như đang cháy") == ["danger"]
    # "unless" words say nothing on their own, unlike words against it
    assert names(reader, "chạy về rồi cướp") == ["danger"]


def test_a_story_that_comes_back_to_the_present_is_danger_now(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, SENSES)
    assert names(reader, "hôm qua có vụ cướp") == []  # told after the fact
    assert names(reader, "hôm qua tôi đã báo vụ cướp") == []
    assert names(reader, "hôm qua tôi đã báo rồi, mà giờ tụi nó đang cướp") == ["danger"]
    # Words against it said after the return to the present still count.
    assert names(reader, "mà giờ nghĩ lại vụ cướp hôm qua") == []
    # "giờ" after a number is an hour, not "now".
    reader = reader_from(tmp_path, SENSES.replace('now = ["mà giờ"]', 'now = ["giờ"]'))
    assert names(reader, "hôm qua lúc 11 giờ có vụ cướp") == []
    assert names(reader, "hôm qua có vụ cướp, giờ lại cướp") == ["danger"]
    # ... and only when danger is said after it: "mà giờ" followed by calm leaves the story in the past.
    reader = reader_from(tmp_path, SENSES)
    assert names(reader, "hôm qua có vụ cướp, mà giờ thì yên rồi") == []


def test_the_present_said_first_is_not_undone_by_background_told_far_after(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, SENSES.replace('now = ["mà giờ"]', 'now = ["mà giờ", "hiện tại"]'))
    # "hiện tại … đang cướp …, trong khi chủ tiệm đi vắng từ hôm qua": the past words tell the background.
    text = "hiện tại có người đang cướp tiệm vàng đầu hẻm trong khi chủ tiệm đi vắng từ hôm qua"
    assert names(reader, text) == ["danger"]
    # Without the present said first it is a story; said close to the danger, the past words still date it.
    assert names(reader, text.removeprefix("hiện tại ")) == []
    assert names(reader, "hiện tại nghĩ lại vụ cướp hôm qua") == []


def test_words_that_bring_the_story_back_inside_words_against_it_bring_nothing_back(tmp_path: Path) -> None:
    toml = SENSES.replace('"đã báo"]', '"đã báo", "mấy hôm"]').replace(
        'now = ["mà giờ"]', 'now = ["hôm nay"]'
    )
    reader = reader_from(tmp_path, toml)
    assert names(reader, "mấy hôm nay có vụ cướp") == []  # days on end, not today
    assert names(reader, "mấy hôm trước có vụ cướp, hôm nay lại cướp") == ["danger"]


def test_today_after_a_story_of_other_days_and_a_missing_child_are_danger_now() -> None:
    reader = app_reader()
    for text, label in (
        ("tuần trước nhà tôi bị trộm một lần, tối nay lại có trộm trong nhà", "emergency"),
        ("con trai tôi đang chơi ngoài sân thì không thấy đâu nữa", "emergency"),
        ("mấy hôm nay có người lạ cứ đứng rình trước nhà tôi", "togiac"),
        ("con trai tôi đi làm chưa về, chắc kẹt xe", "none"),
    ):
        assert label_of(reader.best(text)) == label, text


def test_laughter_typed_as_emoji_is_a_word_that_may_speak_against_danger(tmp_path: Path) -> None:
    assert words("=)) 😂🤣 :))") == ("haha", "haha", "haha") and words("cứu với 😭") == ("cuu", "voi")
    reader = reader_from(tmp_path, SENSES.replace('"đã báo"]', '"đã báo", "haha"]'))
    assert names(reader, "nồi cơm cháy khét 😂") == [] and names(reader, "nồi cơm cháy khét =))") == []
    assert names(reader, "bếp cháy khét") == ["danger"]


def test_the_apps_words_for_climbing_in_heat_bars_and_stopping_messages() -> None:
    reader = app_reader()
    for text, label in (
        ("co nguoi la treo len ban cong nha so 5, chu nha di vang", "emergency"),  # seen as it happens
        ("mua he o day nong chay da chay thit, di bo chut xiu la muon xiu", "none"),  # heat, not fire
        ("bà tôi kể hồi chiến tranh nhà bị bom cháy hết", "none"),  # long ago
        ("quán bar đầu hẻm mở nhạc ầm ầm tới 2h sáng đêm nào cũng vậy", "togiac"),  # a bar: for the police
        ("hủy thông báo", "tatthongtin"),
    ):
        assert label_of(reader.best(text)) == label, text


def test_the_hour_is_not_now(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, SENSES.replace('now = ["mà giờ"]', 'now = ["giờ"]'))
    # "giờ" after a number word or a word asking the hour tells when, as after digits ("11 giờ")
    assert names(reader, "hôm qua lúc hai giờ sáng có vụ cướp") == []
    assert names(reader, "hôm qua mấy giờ có vụ cướp vậy") == []
    assert names(reader, "hôm qua có vụ cướp, giờ tụi nó lại cướp") == ["danger"]


def test_words_against_count_only_written_together(tmp_path: Path) -> None:
    toml = '[danger]\ncommand = "togiac"\nmode = "emergency"\nphrases = ["có trộm"]\nagainst = ["tối qua"]\n'
    reader = reader_from(tmp_path, toml)
    assert names(reader, "toi qua co trom") == []
    # typed without accents, "tôi thấy qua camera" holds "toi [thay] qua": no "tối qua"
    assert names(reader, "toi thay qua camera co trom") == ["danger"]


def test_the_apps_words_for_dogs_choking_cars_floods_falls_and_noises_inside() -> None:
    # Danger now in a few words (read by phrases only): a dog on a child, choking, a child shut in a car, water
    # rising, someone who cannot get up, a stranger or noises inside, "giờ" back in the present after a story.
    reader = app_reader()
    for text in (
        "chó đang cắn con nít",
        "becgie cắn bé hàng xóm",
        "bé đang hóc đồng xu",
        "em bé trong xe, cửa khóa",
        "nước lên nhanh lắm rồi",
        "ông té, không đứng dậy được",
        "người lạ đang ở trong bếp",
        "tiếng lục lọi dưới bếp",
        "hôm qua bị trộm, giờ có trộm nữa",
        "chuyen gap: co trom trong nha",  # "chuyện gấp" (an urgent matter), not "chuyển gấp" (send money fast)
    ):
        assert label_of(reader.best(text)) == "emergency", text


def test_the_apps_words_for_advice_clips_exams_pets_and_paperwork() -> None:
    # What to do if it ever happens, a clip, exams, a lost cat, a number to keep, a fall last month: no danger now;
    # registering one's residence is paperwork, not registering it is a tip.
    reader = app_reader()
    for text, label in (
        ("nếu bị rắn cắn thì sơ cứu thế nào vậy mọi người", "none"),
        ("hỏi để biết thôi, điện giật thì làm sao", "none"),
        ("số cứu hỏa là 114 hả, để ghi vào sổ", "none"),
        ("coi clip người ta cứu em bé đuối nước mà nổi da gà", "none"),
        ("ôn thi mệt muốn xỉu, cứu tui với", "none"),
        ("con mèo nhà em đi lạc, ai thấy nhắn em với", "none"),
        ("tháng rồi con cháu té xe", "none"),
        ("khai báo tạm trú ở đâu", "none"),
        ("khách thuê không khai báo tạm trú", "togiac"),
    ):
        assert label_of(reader.best(text)) == label, text


def test_the_apps_words_for_news_watched_online_hacked_friends_debts_and_jokes() -> None:
    # Without accents "ko, tinh" is no "không tỉnh" (unconscious); a water tanker is no crash; a fire watched live
    # on Facebook far away, a friend's hacked account asking to borrow, a loan denied, a threat made laughing.
    reader = app_reader()
    for text, label in (
        ("mai co bao ve ko, tinh ve que", "none"),
        ("ba toi te, goi khong tinh", "emergency"),
        ("xe bồn tới bơm nước rồi", "none"),
        ("nick fb thằng bạn bị hack, nhắn mượn tiền nói đang kẹt", "kiemtra"),
        ("cháy xưởng gỗ bên quận 9, coi live trên fb thấy ghê", "none"),
        ("bà Tư vay tiền rồi lật lọng, giấy viết tay còn đây", "hoagiai"),
        ("nó dọa đánh tui vì ăn hết bánh haha", "none"),
        ("nhỏ em dọa méc mẹ 🤣", "none"),
    ):
        assert label_of(reader.best(text)) == label, text


def test_an_emergency_wins_over_a_stronger_tip(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    text = "tố giác ma túy hẻm 5, thằng bán đang cầm dao"
    readings = reader.read(text)
    assert [r.intent.name for r in readings][:2] == ["tip", "danger"]  # the tip scores higher...
    assert names(reader, text) == ["danger"]  # ...but danger happening now is never missed
    assert label_of(reader.best(text)) == "emergency"


def test_two_close_readings_are_both_offered_and_a_distant_one_is_not(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    assert names(reader, "hàng xóm hát karaoke, bán ma túy") == ["dispute", "tip"]  # 3.6 against 3: close
    assert label_of(reader.best("hàng xóm hát karaoke, bán ma túy")) == "hoagiai"
    assert names(reader, "hàng xóm bán ma túy") == ["tip"]  # 3 against 2: far
    assert names(reader, "hôm nay trời đẹp") == [] and label_of([]) == "none"
    # A person who may not use a command is never offered it.
    assert names(reader, "karaoke") == ["dispute"]
    assert reader.best("karaoke", allowed=lambda command: command != "hoagiai") == []


def test_the_command_name_typed_without_the_slash(tmp_path: Path) -> None:
    reader = reader_from(tmp_path, TIP_AND_DISPUTE)
    assert names(reader, "hoagiai") == ["dispute"] and names(reader, "hoa giai") == ["dispute"]
    assert names(reader, "to giac") == ["tip"]
    assert names(reader, "nói hoagiai đi") == []


def test_a_receipt_code_is_found_in_any_spelling() -> None:
    code = new_code()
    bare = code.replace("-", "")
    for text in (
        code,
        code.lower(),
        bare,
        bare.lower(),
        code.replace("-", " "),
        f"mã của em là {code.lower()} ạ",
    ):
        assert receipt_code(text) == (FOUND, code), text
    assert receipt_code("K7QM-4HXA-93TD-RWPCX") == (PART, "K7QM-4HXA-93TD-RWPCX")  # a letter too many: asked
    # Part of a code, as codes are printed (groups of four capitals with letters in each): /tracuu is offered and
    # says politely that no tip has it.
    assert receipt_code("K7QM-4HXA-93TD") == (PART, "K7QM-4HXA-93TD")  # three groups
    assert receipt_code("mã của em là K7QM-2PXD ạ") == (PART, "K7QM-2PXD")
    assert receipt_code("K7QM-4HXA 93TD-RWPC") == (FOUND, "K7QM-4HXA-93TD-RWPC")  # mixed separators: a code
    assert receipt_code("xe biển số 59X1-2345 chạy mất") == 0.0  # a number plate: a group without letters
    assert receipt_code("k7qm-2pxd") == 0.0  # lower case and short: words, not a code
    assert receipt_code("mã của tôi là AD-R2M8WX") == (
        PART,
        "AD-R2M8WX",
    )  # remembered wrongly: asked politely
    assert receipt_code("vụ HG-2026-0001 tới đâu rồi") == 0.0  # a mediation case's number
    assert receipt_code("xe SH-125 màu đen") == 0.0  # too short to be a code
    assert receipt_code("0912 3456 7890 3344") == 0.0  # digits only: a phone or an account
    assert receipt_code("nhan tham chua thua") == 0.0  # four words made of the code's letters
    assert receipt_code("NHAN THAM CHUA THUA") == (FOUND, "NHAN-THAM-CHUA-THUA")  # as a code is printed
    # A letter misread in a grouped code is still a code, which no tip has; sixteen together must be the code's own.
    assert receipt_code("check giup e: cv9t-hq4e-7wnx-l2rb") == (FOUND, "CV9T-HQ4E-7WNX-L2RB")
    assert receipt_code("b3fq 8znc wk2m d7xp") == (FOUND, "B3FQ-8ZNC-WK2M-D7XP")
    assert receipt_code("7FJQ2MPX9KTB4WDA") == (
        FOUND,
        "7FJQ-2MPX-9KTB-4WDA",
    )  # every four mix letters, digits
    assert receipt_code("K0QMAHXAETDRWPCX") == 0.0  # outside the alphabet, and groups without a digit
    assert receipt_code("Ma GD FT24123456789012 so tien 5,000,000") == 0.0  # a bank transfer's reference
    assert receipt_code("moi ngay kiem 500k cong viec nay") == 0.0  # words: a group without a digit


def test_pasted_numbers_and_links_are_checked_but_a_tip_with_a_phone_stays_a_tip() -> None:
    assert pasted_identifiers("0912 345 678") == ALONE
    assert pasted_identifiers("http://shopee-tri-an.vip/nhanqua") == ALONE
    assert pasted_identifiers("check link này giùm https://tiktok-shop-vn.online") == ALONE
    forwarded = "Chuc mung thue bao da trung thuong xe SH. Lien he 0867554321 de nhan giai."
    assert pasted_identifiers(forwarded) == FORWARDED
    tip = "bán ma túy ở hẻm 5, sđt 0912 345 678, tối nào cũng có người tới mua"
    assert pasted_identifiers(tip) < ENOUGH
    assert pasted_identifiers("hôm nay trời đẹp quá") == 0.0
    assert pasted_identifiers("hẻm 5 nhà số 12") == 0.0


def test_the_apps_intents_send_each_kind_of_message_where_it_belongs() -> None:
    reader = app_reader()

    def read(text: str) -> tuple[str, str | None]:
        best = reader.best(text)
        return label_of(best), (best[0].args if best else None)

    code = new_code()
    assert read(f"tra cứu giúp em mã {code.lower()}") == ("tracuu", code)
    assert read("0912 345 678") == ("kiemtra", None)  # the whole text is checked
    # Asked for, with nothing to run it on: "" (the command opens and asks), never the sentence itself.
    assert read("tra cứu tin báo") == ("tracuu", "") and read("kiểm tra 1 số lạ") == ("kiemtra", "")
    assert read("bán ma túy ở hẻm 5, sđt 0912 345 678")[0] == "togiac"
    assert read("đang có cướp")[0] == "emergency"
    assert read("hàng xóm hát karaoke tới khuya")[0] == "hoagiai"
    assert read("ok")[0] == "none" and read("👍")[0] == "none"
    tip = reader.best("có người bán ma túy ở hẻm 5")[0].intent
    assert tip.carry and tip.private and tip.hint == "drugs" and tip.mode == Mode.OFFER
    assert reader.best("đang có cướp")[0].intent.carry  # the emergency's text goes along to the tip form too


def test_a_data_file_with_a_mistake_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        reader_from(tmp_path, '[a]\ncommand = "x"\nstrongg = ["y"]\n')
    with pytest.raises(ValueError, match="together"):
        reader_from(tmp_path, '[a]\ncommand = "x"\n[[a.together]]\ngroups = [["y"]]\n')
    with pytest.raises(ValueError, match="no words"):
        reader_from(tmp_path, '[a]\ncommand = "x"\nstrong = ["!!"]\n')
    with pytest.raises(ValueError, match="detectors"):
        reader_from(tmp_path, '[a]\ncommand = "x"\n', b=lambda text: 0.0)


LEARNT = """
# intent<TAB>message, as residents write them
tip\ttối nào cũng có mấy đứa chích hút ở bãi đất trống
tip\tcó người lạ bán hàng trắng ở đầu ngõ, con nghiện ra vào
tip\tthằng con nhà kia chích choác, vứt kim tiêm khắp hẻm
tip\tmấy thanh niên hút chích ngoài gầm cầu
tip\tnghi nhà số 5 bán thuốc lắc cho tụi nhỏ
dispute\tnhà bên mở loa hát tới khuya không ai ngủ được
dispute\thàng xóm làm ồn suốt đêm, nói hoài không nghe
dispute\tnhà kế bên xây tường lấn qua đất nhà tôi
dispute\tbên cạnh nuôi chó sủa inh ỏi cả đêm
dispute\ttrên lầu kéo bàn ghế ồn ào tới khuya
danger\tnó đang cầm dao đứng trước cửa nhà tôi
danger\tcó người bị đâm chảy máu nhiều lắm
none\tchào buổi sáng cả nhà
none\tcảm ơn bạn nhiều nha
none\thôm nay trời đẹp quá
none\tcon đang đi học
none\tđi chợ mua rau về nấu canh
none\tmai có mưa không ta
none\tok để mai tính
none\tnhà tôi mới sơn lại cửa
"""


def learnt_reader(tmp_path: Path, **detectors: object) -> Reader:
    toml = tmp_path / "intents.toml"
    toml.write_text(TIP_AND_DISPUTE, encoding="utf-8")
    examples = tmp_path / "examples.tsv"
    examples.write_text(LEARNT, encoding="utf-8")
    return Reader(load(toml, detectors, examples))  # type: ignore[arg-type]


def test_examples_go_with_their_intents_and_a_mistake_is_refused(tmp_path: Path) -> None:
    intents = {i.name: i for i in learnt_reader(tmp_path).intents}
    assert len(intents["tip"].examples) == 5 and len(intents["dispute"].examples) == 5
    assert all(len(i.counterexamples) == 8 for i in intents.values())  # "none": nothing to open
    assert intents["danger"].examples[0] == "nó đang cầm dao đứng trước cửa nhà tôi"
    toml = tmp_path / "intents.toml"
    for wrong, error in (("tipp\tbán ma túy\n", "neither"), ("tip bán ma túy\n", "intent<TAB>message")):
        (tmp_path / "wrong.tsv").write_text(wrong, encoding="utf-8")
        with pytest.raises(ValueError, match=error):
            load(toml, examples=tmp_path / "wrong.tsv")


def test_the_model_reads_words_no_phrase_lists(tmp_path: Path) -> None:
    phrases_only, learnt = reader_from(tmp_path, TIP_AND_DISPUTE), learnt_reader(tmp_path)
    for text, meant in (
        ("ngoài bãi có đứa chích hút suốt, kim tiêm vứt đầy", "tip"),
        ("nha ke ben mo loa on ao toi khuya", "dispute"),  # no accents, words of the examples only
    ):
        assert names(phrases_only, text) == [], text
        assert names(learnt, text) == [meant], text
    assert names(learnt, "chào cả nhà, hôm nay trời đẹp quá") == []  # chit-chat is "none"
    # A few words say too little for the model alone: only phrases read them.
    assert names(learnt, "chích hút") == [] and names(learnt, "ma túy") == ["tip"]
    # What the phrases read still reads (the model agreeing or not knowing the words).
    assert names(learnt, "karaoke") == ["dispute"] and names(learnt, "hôm nay trời đẹp") == []


def test_danger_and_sure_detectors_are_not_outvoted_by_a_model_that_is_not_sure(tmp_path: Path) -> None:
    learnt = learnt_reader(tmp_path)
    text = "nhà bên mở loa hát ồn ào tới khuya, tôi qua nói thì ông ấy cầm dao"
    assert "danger" in [r.intent.name for r in learnt.read(text)] and names(learnt, text) == ["danger"]
    sure = learnt_reader(tmp_path, dispute=lambda text: (4.0, "HG-1") if "HG-1" in text else 0.0)
    assert [(r.intent.name, r.args) for r in sure.best("mấy đứa chích hút ngoài bãi, mã HG-1")] == [
        ("dispute", "HG-1")
    ]
    # A detector that saw nothing gives "" to run with: the command asks rather than run on the sentence.
    assert [(r.intent.name, r.args) for r in sure.best("nhà bên mở loa hát ồn ào tới khuya")] == [
        ("dispute", "")
    ]


def test_assent_and_thanks_as_chat_writes_them_are_answered_kindly() -> None:
    from bot.core.understand import courtesy

    for text in ("ukm", "đc r", "okela", "hiểu rồi, cảm ơn", "thank you so much", "haha 😂", "👍"):
        assert courtesy(text), text
    for text in ("cứu tôi", "tôi muốn báo tin", "hôm nay trời đẹp"):
        assert not courtesy(text), text


def test_a_tips_category_comes_from_the_words_naming_it_even_beside_words_asking_for_a_tip() -> None:
    # "tôi muốn báo công an" weighs more than "bán ma túy", but only the latter says what the tip is about: the
    # form's category is guessed from it (it was asked with nothing preselected).
    reader = app_reader()
    for text, hint in (
        ("toi muon bao cs co nguoi ban ma tuy o hem 9", "drugs"),
        ("tôi muốn báo công an nhà số 5 đánh bạc", "gambling"),
        ("báo tin cho công an", None),
    ):
        [reading] = reader.best(text)
        assert (reading.intent.command, reading.intent.hint) == ("togiac", hint), text


def test_the_police_and_group_leaders_are_offered_their_own_commands_in_words() -> None:
    reader = app_reader()
    everyone, resident = (lambda command: True), (lambda command: command not in ("tinbao", "soancanhbao"))
    assert label_of(reader.best("tin báo mới", everyone)) == "tinbao"
    assert label_of(reader.best("tin báo mới", resident)) == "none"
    warn = "tôi muốn cảnh báo cho cả tổ về vụ giả danh điện lực gọi điện đòi tiền"
    assert label_of(reader.best(warn, everyone)) == "soancanhbao"  # it was offered a tip about fraud
    assert label_of(reader.best("cảnh báo mới nhất", everyone)) == "canhbao"  # reading them is everyone's


def test_a_phrase_is_held_with_its_accents_where_both_sides_wrote_them() -> None:
    from handlers.mediation.texts import guess_kind

    assert holds_any("nó mượn tiền không trả", ["nợ", "mượn tiền"])
    assert not holds_any("nó hát suốt đêm", ["nợ"])  # "nó" is not "nợ"
    assert holds_any("no hat suot dem", ["nợ"])  # typed without accents: it may be
    assert guess_kind("nó hát karaoke suốt đêm") == "noise"
    assert (
        guess_kind("hàng xóm hát karaoke tới khuya") == "noise"
    )  # neighbours only when nothing more precise
    assert guess_kind("hàng xóm cho chó ra bậy trước cửa") == "neighbours"
    assert guess_kind("anh em tranh chấp thừa kế đất") is None  # two kinds named: the person chooses


def test_danger_words_in_a_game_or_an_idiom_the_model_is_sure_of_open_nothing() -> None:
    """Danger its phrases read is a reading whatever the model says, unless the model is near sure the message is
    nothing (SURELY_NOTHING): a game, a fight on TV, an idiom. None of these messages is in an examples file."""
    reader = app_reader()
    learnt = reader.learnt()
    for text in (  # each read as an emergency before SURELY_NOTHING
        "đi chợ bị chém giá quá trời, bó rau 20 ngàn",
        "bác sĩ nói cholesterol cao vậy là chết người đó nha",
        "săn sale mà bị cướp mất đôi giày trong giỏ hàng, tức ghê",
        "giá điện giờ đúng là cướp tiền dân mà",
        "hè này nóng như đổ lửa, ra đường muốn bốc cháy",
    ):
        assert same(text) not in learnt and label_of(reader.best(text)) == "none", text
    for text in (
        "đang có người cầm dao đuổi chém ở đầu hẻm",
        "cháy rồi cứu với",
        "thằng nhỏ té xuống kênh rồi",
    ):
        assert label_of(reader.best(text)) == "emergency", text


def test_danger_words_in_a_tip_of_something_over_offer_the_tip_and_now_keeps_danger() -> None:
    """Writers X, Y and Z (eleventh session): a scam already suffered that quotes the scammer's "accident", a theft
    found on coming home, were offered 113/114/115; the same words with "now" stay danger (bot.core.intents
    told_later)."""
    reader = app_reader()
    for text, label in (
        (
            "bị lừa mất 45 triệu: có người gọi nói con tui bị tai nạn cần mổ gấp, tui chuyển khoản rồi mới biết",
            "togiac",
        ),
        (
            "hồi tuần trước nhà bà Tư bị mất trộm xe, mà giờ lại đang có 2 thằng lạ mặt cạy cửa nhà bên",
            "emergency",
        ),
        ("tuần trước nhà tôi bị trộm một lần, tối nay lại có trộm trong nhà", "emergency"),
        ("nó đang cầm dao đứng trước cửa", "emergency"),
        ("Tổ 7 báo cáo tháng 11: 1 vụ mất trộm xe đạp, 1 vụ cãi nhau đã hòa giải xong", "baocao"),
    ):
        assert label_of(reader.best(text)) == label, text
    # "đảo" of "lừa đảo" is no knife ("dao"): an opinion about scams "bây giờ" is no danger now.
    assert label_of(reader.best("mấy vụ lừa đảo qua mạng bây giờ nhiều ghê")) != "emergency"


def test_the_bots_notifications_and_a_message_about_an_accident_asked_about_are_no_emergency() -> None:
    """Writers AK and AL (sixteenth session): "keep the urgent ones" in a wish to stop the information alerts, the
    "accident" of a message asked about ("thật hay giả"), hens a dog killed in a quarrel to be judged, were offered
    113/114/115 before the form the person asked for; the same words with "now" stay danger."""
    reader = app_reader()
    for text, label in (
        ("đừng gửi tin thường cho tôi nữa, chuyện khẩn cấp thì vẫn nhắn nhé", "tatthongtin"),
        ("please only send urgent alerts, turn off the regular notifications", "tatthongtin"),
        ("có tin nhắn báo ba tui bị tai nạn nằm viện cần chuyển tiền mổ ngay, thật hay lừa vậy", "kiemtra"),
        ("con chó nhà bên cắn chết con vịt nhà tôi, ổng không chịu đền, nhờ thôn phân xử giùm", "hoagiai"),
        ("đừng gửi tin thường cho tôi nữa, mà giờ nhà tôi đang cháy", "emergency"),
        ("có tin nhắn báo ba tui bị tai nạn, ba tui đang nằm bất tỉnh giữa đường", "emergency"),
    ):
        assert label_of(reader.best(text)) == label, text


def test_a_household_asked_for_in_words_and_an_address_alone() -> None:
    """Walk D (sixteenth session): Vy wrote "e mún tìm hộ nhà e" and "cho e vô hộ", which no words led to
    /hocuatoi, and her address typed alone outside a form was offered 113/114/115."""
    reader = app_reader()
    for text, label in (
        ("em muốn vô hộ nhà em trên này", "hocuatoi"),
        ("cho mình vào hộ gia đình của mình với", "hocuatoi"),
        ("nhờ tìm hộ cái ví bị rơi ở chợ", "none"),
        ("nhà e ở số 36 đường Lý Thường Kiệt", "none"),
        ("nhà e ở số 36 đường Lý Thường Kiệt, đang có trộm", "emergency"),
    ):
        assert label_of(reader.best(text)) == label, text

"""The candidate's uplink in real Chromium: the device check's connection test, the bitrate that
follows it, and the recording type the site picks, against the local stack.

The uplink is throttled with CDP (`Network.emulateNetworkConditions`), as a slow network would.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.drivers.a11y import assert_accessible
from tests.drivers.candidate_site import create_interview, invite, s3, session, wait_until
from tests.drivers.local_stack import RunningStack

pytestmark = pytest.mark.e2e

DOWNLINK_BITS = 50e6
LATENCY_MS = 30


@pytest.fixture
def candidate_page(page: Any) -> Any:
    """A page that fails the test on a script error and accepts the "leave page?" prompt."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    assert not errors, errors


class Uplink:
    """A page's uplink, throttled as Chromium's DevTools emulate a slow network.

    One DevTools session per page: conditions set from a second session do not replace the
    first's.
    """

    def __init__(self, page: Any) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")

    def set(self, uplink_bits: float) -> None:
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": LATENCY_MS,
                "uploadThroughput": uplink_bits / 8,
                "downloadThroughput": DOWNLINK_BITS / 8,
            },
        )


def open_device_check(page: Any, link: str, uplink_bits: float | None = None) -> Uplink:
    """Consent, reach the device check and wait for the connection test's verdict."""
    page.goto(link)
    page.wait_for_selector("[data-view=landing]")
    uplink = Uplink(page)
    if uplink_bits:
        uplink.set(uplink_bits)
    page.check("#consent")
    page.click("[data-action=begin]")
    page.wait_for_selector("[data-view=devices] [data-action=devices-ok]:not([disabled])")
    page.wait_for_selector("[data-network]:not([data-network=checking])", timeout=60_000)
    assert_accessible(page, "device check with the connection's verdict")
    return uplink


def probe_objects(stack: RunningStack) -> list[str]:
    bucket = stack.state["settings"]["MEDIA_BUCKET"]
    listed = s3(stack).list_objects_v2(Bucket=bucket, Prefix="probes/")
    return [item["Key"] for item in listed.get("Contents", [])]


# (uplink, what the device check says, words it shows, lowest and highest recording bitrate)
UPLINKS = {
    "10Mbit": (10e6, "good", "Your connection is good for video", 1_500_000, 1_500_000),
    "0.5Mbit": (0.5e6, "slow", "Your connection is slow", 300_000, 720_000),
    "0.15Mbit": (0.15e6, "too-slow", "Your connection is too slow for video", 300_000, 300_000),
}


@pytest.mark.parametrize("case", UPLINKS.values(), ids=UPLINKS.keys())
def test_the_device_check_says_in_plain_words_how_good_the_connection_is_for_video(
    local_stack: RunningStack, candidate_page: Any, case: tuple
) -> None:
    uplink_bits, verdict, words, lowest, highest = case
    page = candidate_page
    # GIVEN a candidate on an uplink of `uplink_bits`
    link, _ = invite(local_stack, "Net Check")
    before = set(probe_objects(local_stack))
    # WHEN they reach the device check
    open_device_check(page, link, uplink_bits)
    panel = page.query_selector("[data-network]")
    # THEN it says how good their connection is, in plain words
    assert panel.get_attribute("data-network") == verdict
    text = panel.text_content()
    assert words in text
    if verdict == "slow":
        assert "lower quality" in text
        assert "close other tabs" in text
    if verdict == "too-slow":
        assert "Move closer to your Wi-Fi router" in text
        assert "hiring@example.com" in text  # whom to ask for another way to answer
    # AND the figure it measured is the uplink's, within the emulation's own overhead
    measured = int(panel.get_attribute("data-uplink-bits"))
    assert 0.6 * uplink_bits <= measured <= 1.3 * uplink_bits, measured
    # AND recordings will start at a bitrate the uplink can carry
    assert lowest <= int(panel.get_attribute("data-bitrate")) <= highest
    # AND the test bytes went to S3 under probes/, never as an answer
    assert len(set(probe_objects(local_stack)) - before) in (1, 2)
    assert all(q["answer"] is None for q in session(local_stack, link)["questions"])


# What MediaRecorder says it supports, per browser family (the rest is refused).
CHROME_126 = [
    "video/mp4;codecs=avc1.42E01E,mp4a.40.2",
    "video/mp4;codecs=avc1,mp4a.40.2",
    "video/webm;codecs=h264,opus",
    "video/webm;codecs=vp9,opus",
    "video/webm",
    "video/mp4",
    "audio/mp4;codecs=mp4a.40.2",
    "audio/mp4",
    "audio/webm;codecs=opus",
]
CHROME_OLD = [
    "video/webm;codecs=h264,opus",
    "video/webm;codecs=avc1,opus",
    "video/x-matroska;codecs=avc1,opus",
    "video/webm;codecs=vp9,opus",
    "video/webm;codecs=vp8,opus",
    "video/webm",
    "audio/webm;codecs=opus",
]
MATROSKA_ONLY = ["video/x-matroska;codecs=avc1,opus", "video/webm;codecs=vp8,opus"]
SAFARI = ["video/mp4;codecs=avc1,mp4a.40.2", "video/mp4", "audio/mp4"]
FIREFOX = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm", "audio/webm"]
FIREFOX_OLD = ["video/webm;codecs=vp8,opus", "video/webm", "audio/webm;codecs=opus"]
BARE = ["video/webm"]


def supports_only(types: list[str]) -> str:
    """An init script: MediaRecorder.isTypeSupported says yes to `types` and no to the rest."""
    return (
        f"(() => {{ const allowed = new Set({json.dumps(types)});"
        " if (window.MediaRecorder) MediaRecorder.isTypeSupported = (t) => allowed.has(t); })();"
    )


@pytest.mark.parametrize(
    ("supported", "video", "audio"),
    [
        (CHROME_126, "video/mp4;codecs=avc1.42E01E,mp4a.40.2", "audio/mp4;codecs=mp4a.40.2"),
        (CHROME_OLD, "video/webm;codecs=h264,opus", "audio/webm;codecs=opus"),
        (MATROSKA_ONLY, "video/x-matroska;codecs=avc1,opus", None),
        (SAFARI, "video/mp4;codecs=avc1,mp4a.40.2", "audio/mp4"),
        (FIREFOX, "video/webm;codecs=vp9,opus", "audio/webm"),
        (FIREFOX_OLD, "video/webm;codecs=vp8,opus", "audio/webm;codecs=opus"),
        (BARE, "video/webm", None),
    ],
    ids=["chrome126", "chrome-old", "matroska", "safari", "firefox", "firefox-old", "bare"],
)
def test_the_site_records_in_the_most_playable_type_the_browser_offers(
    local_stack: RunningStack, page: Any, supported: list[str], video: str, audio: str | None
) -> None:
    # GIVEN a browser whose MediaRecorder supports `supported`
    page.add_init_script(supports_only(supported))
    page.goto(f"{local_stack.url}/candidate/")
    # WHEN the site picks what to record video and audio answers in
    picked = page.evaluate(
        """async () => {
            const media = await import('/candidate/media.js');
            return {video: media.pickMimeType('video'), audio: media.pickMimeType('audio')};
        }"""
    )
    # THEN it is the most playable one on offer: H.264/AAC MP4, then H.264 WebM, then VP9/VP8
    assert picked == {"video": video, "audio": audio}


MP4 = "video/mp4;codecs=avc1.42E01E,mp4a.40.2"
# Headless Chromium cannot encode H.264/AAC MP4: it records VP8 WebM when asked for MP4, and
# says it asked for MP4, as Chrome ≥ 126 does. What is checked is how the site sends it.
RECORDS_MP4 = f"""(() => {{
    const Real = window.MediaRecorder;
    const mp4 = (t) => String(t).startsWith('video/mp4');
    class Recorder extends Real {{
        constructor(stream, options = {{}}) {{
            const asked = options.mimeType;
            const real = {{...options, mimeType: 'video/webm;codecs=vp8,opus'}};
            super(stream, mp4(asked) ? real : options);
            this.asked = asked;
        }}
        get mimeType() {{ return mp4(this.asked) ? this.asked : super.mimeType; }}
    }}
    Recorder.isTypeSupported = (t) => t === '{MP4}' || Real.isTypeSupported(t);
    window.MediaRecorder = Recorder;
}})();"""


def test_an_mp4_recording_is_started_and_uploaded_as_mp4(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN a browser that records H.264/AAC in MP4 (Chrome ≥ 126, Safari)
    page.add_init_script(RECORDS_MP4)
    link, _ = invite(local_stack, "Mp4 Person")
    q1 = session(local_stack, link)["questions"][0]["question_id"]
    starts: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: (
            starts.append(r.post_data_json)
            if r.method == "POST" and r.url.endswith(f"/questions/{q1}/attempts")
            else None
        ),
    )
    # WHEN they record an answer
    open_device_check(page, link)
    page.click("[data-action=devices-ok]")
    page.click("[data-action=skip-practice]")
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    page.wait_for_timeout(2500)
    page.click("[data-action=stop]")
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
    # THEN the server was told MP4, and every chunk in S3 has an MP4 content type
    assert [start["mime_type"] for start in starts] == [MP4]
    bucket = local_stack.state["settings"]["MEDIA_BUCKET"]
    client = s3(local_stack)
    listed = client.list_objects_v2(Bucket=bucket, Prefix="raw/")["Contents"]
    chunks = [item["Key"] for item in listed if f"/{q1}/001/chunk-" in item["Key"]]
    assert len(chunks) >= 2
    types = {client.head_object(Bucket=bucket, Key=key)["ContentType"] for key in chunks}
    assert types == {"video/mp4"}


def ready_answer(stack: RunningStack, link: str) -> dict[str, Any]:
    """The first question's answer once it is ready to play; a failure ends the wait at once."""

    def ready() -> dict[str, Any] | None:
        answer = session(stack, link)["questions"][0]["answer"] or {}
        assert answer.get("status") != "failed", answer
        return answer if answer.get("status") == "ready" else None

    return wait_until(ready, timeout=90, every=1)


def bitrate_module(page: Any, expression: str) -> Any:
    return page.evaluate(
        f"async () => {{ const b = await import('/candidate/bitrate.js'); return {expression}; }}"
    )


def test_the_recording_bitrate_follows_the_uplink_within_720p_bounds(
    local_stack: RunningStack, page: Any
) -> None:
    page.goto(f"{local_stack.url}/candidate/")
    # 65% of the uplink less the audio, within 0.3 to 1.5 Mbit/s; 32 kbit/s audio below 0.3 Mbit/s
    chosen = bitrate_module(
        page, "[10e6, 2e6, 1e6, 0.5e6, 0.2e6, null].map((u) => b.bitrateForUplink(u))"
    )
    assert [(c["video"], c["audio"]) for c in chosen] == [
        (1_500_000, 64_000),
        (1_236_000, 64_000),
        (586_000, 64_000),
        (300_000, 64_000),
        (300_000, 32_000),
        (1_000_000, 64_000),  # not measured: the former fixed rate
    ]
    # audio answers have the uplink to themselves: 64 kbit/s down to 0.128 Mbit/s
    assert [c["audioOnly"] for c in chosen] == [64_000] * 6
    assert bitrate_module(page, "b.bitrateForUplink(0.1e6).audioOnly") == 32_000
    verdicts = bitrate_module(
        page, "[10e6, 1.2e6, 1.19e6, 0.5e6, 0.3e6, 0.29e6, 0.15e6].map((u) => b.verdict(u))"
    )
    assert verdicts == ["good", "good", "slow", "slow", "slow", "too-slow", "too-slow"]
    assert bitrate_module(
        page, "[b.verdict(0.2e6, {video: false}), b.verdict(0.1e6, {video: false})]"
    ) == [
        "good",
        "too-slow",
    ]


def test_a_backlog_lowers_the_next_recordings_bitrate_and_an_empty_one_raises_it_back(
    local_stack: RunningStack, page: Any
) -> None:
    page.goto(f"{local_stack.url}/candidate/")
    start = "{video: 1000000, audio: 64000, target: 1500000}"
    # 10 s recorded, 1 MB; half of it still unsent at stop (5 s of backlog): much lower
    lowered = bitrate_module(
        page, f"b.nextBitrate({start}, {{recordedBytes: 1e6, backlogBytes: 5e5, seconds: 10}})"
    )
    assert (lowered["change"], lowered["video"]) == ("lower", 425_000)
    # a 4 s backlog with most of it carried: at least 20 % lower
    lowered = bitrate_module(
        page, f"b.nextBitrate({start}, {{recordedBytes: 1e6, backlogBytes: 4e5, seconds: 10}})"
    )
    assert (lowered["change"], lowered["video"]) == ("lower", 510_000)
    # never below 300 kbit/s; on a link that carried under half, audio drops to 32 kbit/s
    floor = bitrate_module(
        page,
        "b.nextBitrate({video: 320000, audio: 64000, target: 1500000},"
        " {recordedBytes: 1e6, backlogBytes: 8e5, seconds: 10})",
    )
    assert (floor["video"], floor["audio"]) == (300_000, 32_000)
    # the backlog stayed at the last chunk (1 s): 15 % higher, never above the uplink's target
    raised = bitrate_module(
        page, f"b.nextBitrate({start}, {{recordedBytes: 1e6, backlogBytes: 1e5, seconds: 10}})"
    )
    assert (raised["change"], raised["video"]) == ("raise", 1_150_000)
    capped = bitrate_module(
        page,
        "b.nextBitrate({video: 1400000, audio: 64000, target: 1500000},"
        " {recordedBytes: 1e6, backlogBytes: 0, seconds: 10})",
    )
    assert capped["video"] == 1_500_000
    # in between (2.5 s): kept
    kept = bitrate_module(
        page, f"b.nextBitrate({start}, {{recordedBytes: 1e6, backlogBytes: 2.5e5, seconds: 10}})"
    )
    assert (kept["change"], kept["video"]) == ("keep", 1_000_000)
    # two probes: the slope between them discounts each request's fixed cost
    uplink = bitrate_module(
        page,
        "b.uplinkFromProbes([{bytes: 100000, seconds: 0.9}, {bytes: 300000, seconds: 2.5}])",
    )
    assert uplink == pytest.approx(1_000_000)


def test_a_recording_that_fell_behind_makes_the_next_one_lighter(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN a candidate whose device check found a fast uplink
    interview = create_interview(
        local_stack,
        {
            "title": f"Uplink {uuid.uuid4().hex[:6]}",
            "questions": [
                {
                    "text": "Say anything.",
                    "think_seconds": 0,
                    "max_answer_seconds": 60,
                    "retakes": 3,
                }
            ],
        },
    )
    link, _ = invite(local_stack, "Falling Behind", interview_id=interview["interview_id"])
    uplink = open_device_check(page, link, 10e6)
    assert page.get_attribute("[data-network]", "data-network") == "good"
    page.click("[data-action=devices-ok]")
    page.click("[data-action=skip-practice]")
    # WHEN the uplink drops to 0.1 Mbit/s while they record their first answer
    page.click("[data-action=start]")
    view = page.wait_for_selector("[data-bitrate]")
    first = int(view.get_attribute("data-bitrate"))
    assert first == 1_500_000
    uplink.set(0.1e6)
    page.wait_for_timeout(6000)
    page.click("[data-action=stop]")
    # The backlog is read once every recorded chunk is counted, a moment after the click
    upload = "[...window.onewayCandidate.uploads.values()][0]"
    page.wait_for_function(f"() => {upload}.backlogAtStop !== undefined")
    backlog = page.evaluate(f"() => {upload}.backlogAtStop")
    uplink.set(50e6)
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=60_000)
    # THEN the retake records at a lower bitrate, kept with the attempt on the device
    page.click("[data-action=rerecord]")
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    second = int(page.get_attribute("[data-bitrate]", "data-bitrate"))
    assert backlog > 0
    assert 300_000 <= second <= 0.8 * first, (first, second, backlog)
    stored = wait_until(
        lambda: page.evaluate(
            "async () => { const app = window.onewayCandidate;"
            " const [r] = (await app.store.attemptsOf(app.owner)).filter((a) => a.attempt === 2);"
            " return r && r.bitrate; }"
        )
    )
    assert stored["video"] == second
    # AND once a recording kept up, the next one climbs back a little
    page.wait_for_timeout(3000)
    page.click("[data-action=stop]")
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
    page.click("[data-action=rerecord]")
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    third = int(page.get_attribute("[data-bitrate]", "data-bitrate"))
    assert second < third <= round(second * 1.15) + 1
    page.click("[data-action=stop]")
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)


def test_chromium_records_h264_in_matroska_and_the_answer_becomes_playable(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN this Chromium, which records H.264 with Opus in Matroska but not MP4
    link, _ = invite(local_stack, "Matroska Person")
    q1 = session(local_stack, link)["questions"][0]["question_id"]
    open_device_check(page, link)
    page.click("[data-action=devices-ok]")
    page.click("[data-action=skip-practice]")
    # WHEN the candidate records an answer
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    page.wait_for_timeout(3000)
    page.click("[data-action=stop]")
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
    # THEN the site chose H.264 (what the worker only has to copy) over VP9
    mime = page.evaluate("(qid) => window.onewayCandidate.uploads.get(qid).mimeType", q1)
    assert mime == "video/webm;codecs=h264,opus"

    # AND the answer becomes ready to play
    ready = ready_answer(local_stack, link)
    assert 2 <= ready["duration_seconds"] <= 5


# This Chromium records real MP4 (H.264 + Opus) when WebM and Matroska are off the table.
RECORDS_ONLY_MP4 = """(() => {
    const real = MediaRecorder.isTypeSupported.bind(MediaRecorder);
    MediaRecorder.isTypeSupported = (t) => String(t).startsWith('video/mp4') && real(t);
})();"""


def test_an_mp4_recording_uploads_while_it_is_recorded_and_becomes_playable(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN a browser that records video only as MP4 (a real MP4 muxer, H.264 + Opus)
    page.add_init_script(RECORDS_ONLY_MP4)
    link, _ = invite(local_stack, "Fragment Person")
    q1 = session(local_stack, link)["questions"][0]["question_id"]
    open_device_check(page, link)
    page.click("[data-action=devices-ok]")
    page.click("[data-action=skip-practice]")
    # WHEN the candidate has been recording for a few seconds
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    bucket = local_stack.state["settings"]["MEDIA_BUCKET"]
    client = s3(local_stack)

    def uploaded_pictures() -> list[int] | None:
        listed = client.list_objects_v2(Bucket=bucket, Prefix="raw/").get("Contents", [])
        sizes = [o["Size"] for o in listed if f"/{q1}/001/chunk-" in o["Key"]]
        # More than the 1.2 KB MP4 header: fragments holding pictures.
        return sizes if sum(1 for size in sizes if size > 10_000) >= 2 else None

    # THEN fragments with pictures are already in S3 before "Stop" (an MP4 recorder left at
    # its default key-frame interval delivers everything at stop, and the wait grows with it)
    during = wait_until(uploaded_pictures, timeout=8, every=0.25)
    assert during, "no MP4 fragment was uploaded while recording"
    page.click("[data-action=stop]")
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
    mime = page.evaluate("(qid) => window.onewayCandidate.uploads.get(qid).mimeType", q1)
    assert mime == "video/mp4;codecs=avc1,opus"

    # AND the answer becomes ready to play
    ready = ready_answer(local_stack, link)
    assert ready["duration_seconds"] >= 2


def test_an_audio_answer_recorded_in_mp4_becomes_playable(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN an audio question, in this Chromium, which records audio in MP4
    interview = create_interview(
        local_stack,
        {
            "title": f"Audio {uuid.uuid4().hex[:6]}",
            "questions": [
                {
                    "text": "Tell us in your own words.",
                    "answer_type": "audio",
                    "think_seconds": 0,
                    "max_answer_seconds": 60,
                    "retakes": 0,
                }
            ],
        },
    )
    link, _ = invite(local_stack, "Audio Person", interview_id=interview["interview_id"])
    open_device_check(page, link)
    assert page.get_attribute("[data-network]", "data-network") == "good"
    page.click("[data-action=devices-ok]")
    page.click("[data-action=skip-practice]")
    # WHEN the candidate records an answer
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    page.wait_for_timeout(3000)
    page.click("[data-action=stop]")
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
    q1 = session(local_stack, link)["questions"][0]["question_id"]
    mime = page.evaluate("(qid) => window.onewayCandidate.uploads.get(qid).mimeType", q1)
    assert mime == "audio/mp4"

    # THEN it becomes a ready answer of the length recorded
    ready = ready_answer(local_stack, link)
    assert 2 <= ready["duration_seconds"] <= 5

"""Audio recorded in WebKitGTK (Safari's engine on Linux): repeated MP4 headers are dropped.

WebKitGTK's MediaRecorder (GStreamer's MP4 muxer, measured in the WebKit browser test) writes
`ftyp` twice at the start and, at stop, the last fragment's `moof` twice before its one
`mdat`. The clips here are built the same way from a fragmented AAC recording.
"""

from __future__ import annotations

import itertools
import struct
from pathlib import Path

import pytest

from media_worker.transcode import MediaRejected, join_chunks, transcode
from tests.drivers.media import Clip, generate, top_level_boxes


def boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    found, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        found.append((kind, offset, size))
        offset += size
    return found


@pytest.fixture(scope="module")
def fragmented_aac(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """AAC in fragmented MP4 with a fragment a second, as a timeslice recording is."""
    out = tmp_path_factory.mktemp("webkit") / "aac.mp4"
    clip = Clip(
        video=None,
        audio="aac",
        muxer="mp4",
        movflags="+frag_keyframe+empty_moov+default_base_moof",
        extra=("-frag_duration", "1000000"),
    )
    return generate(clip, out)


def as_webkit_writes_it(clip: Path, folder: Path) -> list[Path]:
    """The clip as WebKitGTK uploads it: ftyp twice, then the last moof twice, in 3 chunks."""
    data = clip.read_bytes()
    found = boxes(data)
    ftyp = next(b for b in found if b[0] == b"ftyp")
    last_moof = [b for b in found if b[0] == b"moof"][-1]
    header = data[ftyp[1] : ftyp[1] + ftyp[2]]
    moof = data[last_moof[1] : last_moof[1] + last_moof[2]]
    webkit = header + data[: last_moof[1]] + moof + data[last_moof[1] :]
    folder.mkdir(parents=True, exist_ok=True)
    cuts = [0, len(webkit) // 3, 2 * len(webkit) // 3, len(webkit)]
    chunks = []
    for index, (start, end) in enumerate(itertools.pairwise(cuts)):
        chunk = folder / f"chunk-{index:05d}"
        chunk.write_bytes(webkit[start:end])
        chunks.append(chunk)
    return chunks


def test_a_webkit_audio_recording_with_repeated_headers_becomes_a_playable_answer(
    fragmented_aac: Path, tmp_path: Path
) -> None:
    # GIVEN an audio answer uploaded as WebKitGTK records it
    chunks = as_webkit_writes_it(fragmented_aac, tmp_path / "chunks")
    uploaded = sum(c.stat().st_size for c in chunks)
    # WHEN the worker joins the chunks
    joined = tmp_path / "joined"
    written = join_chunks(chunks, joined)
    # THEN the repeated headers are gone and nothing else changed
    assert joined.read_bytes() == fragmented_aac.read_bytes()
    assert written == fragmented_aac.stat().st_size < uploaded
    # AND it becomes a whole answer, copied as it is
    result = transcode(joined, tmp_path / "out", "audio", 30)
    assert result.path == "copy"
    assert not result.cut_short
    assert result.duration_s == pytest.approx(3, abs=0.2)


def test_without_the_fix_such_a_recording_would_be_refused(
    fragmented_aac: Path, tmp_path: Path
) -> None:
    # GIVEN the same upload concatenated as bytes only (what the worker did before)
    chunks = as_webkit_writes_it(fragmented_aac, tmp_path / "chunks")
    raw = tmp_path / "raw.mp4"
    raw.write_bytes(b"".join(c.read_bytes() for c in chunks))
    assert top_level_boxes(raw)[:2] == ["ftyp", "ftyp"]
    # THEN ffmpeg refuses it: this is the damage the join repairs
    with pytest.raises(MediaRejected):
        transcode(raw, tmp_path / "out", "audio", 30)


def test_a_recording_cut_inside_a_box_keeps_its_tail_for_the_salvage(
    fragmented_aac: Path, tmp_path: Path
) -> None:
    # GIVEN a WebKit upload whose last chunk never arrived (a reload mid-answer)
    chunks = as_webkit_writes_it(fragmented_aac, tmp_path / "chunks")[:2]
    joined = tmp_path / "joined"
    join_chunks(chunks, joined)
    # THEN only the repeated file type went; the cut box is still there for the salvage
    sent = b"".join(c.read_bytes() for c in chunks)
    ftyp_size = boxes(sent)[0][2]
    assert joined.read_bytes() == sent[ftyp_size:]
    result = transcode(joined, tmp_path / "out", "audio", 30)
    assert result.cut_short

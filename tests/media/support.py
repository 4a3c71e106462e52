"""Assertions on produced files that read them independently of the code under test."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import av


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order (`moov` before `mdat` means faststart)."""
    boxes = []
    with path.open("rb") as f:
        while header := f.read(8):
            size, kind = struct.unpack(">I4s", header)
            boxes.append(kind.decode("latin-1"))
            if size == 0:  # the box runs to the end of the file
                break
            if size == 1:  # 64-bit size follows the type
                size = struct.unpack(">Q", f.read(8))[0]
                f.seek(size - 16, 1)
            else:
                f.seek(size - 8, 1)
    return boxes


def video_pix_fmt(path: Path) -> str:
    with av.open(str(path)) as container:
        return container.streams.video[0].codec_context.pix_fmt


def image_size(path: Path) -> tuple[str, int, int]:
    """Codec name and size of the first picture in an image file, by decoding it."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frame = next(container.decode(stream))
        return stream.codec_context.name, frame.width, frame.height


def video_payload_digest(path: Path) -> str:
    """SHA-256 over the video packets' bytes: equal digests mean the stream was copied."""
    digest = hashlib.sha256()
    with av.open(str(path)) as container:
        for packet in container.demux(container.streams.video[0]):
            if packet.size:
                digest.update(bytes(packet))
    return digest.hexdigest()

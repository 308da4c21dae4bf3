"""Video and audio: the streams remuxed into a new container without its metadata (PyAV, which bundles FFmpeg).

A phone video holds where it was filmed (the MP4 `©xyz` atom, Apple's location keys and metadata track), the
device and the creation time; audio files hold tags. Remuxing copies the audio and video packets as they are
(nothing is decoded, so it is quick) into a container written without any of that: container and stream
metadata are not carried over, data tracks and cover pictures are dropped, and `bitexact` keeps FFmpeg's own
version tag out.
"""

from __future__ import annotations

import io

from bot.cleaning.result import Cleaned, Content, Verdict

# FFmpeg demuxer name → candidate muxers for the copy, each with (mime for video, mime for audio, extension).
Target = tuple[str, str, str, str]
MP4 = ("mp4", "video/mp4", "audio/mp4", "mp4")
MOV = ("mov", "video/quicktime", "audio/mp4", "mov")
TARGETS: dict[str, tuple[Target, ...]] = {
    "mov,mp4,m4a,3gp,3g2,mj2": (MP4, MOV),
    "ogg": (("ogg", "video/ogg", "audio/ogg", "ogg"),),
    "mp3": (("mp3", "audio/mpeg", "audio/mpeg", "mp3"),),
    "aac": (("adts", "audio/aac", "audio/aac", "aac"),),
    "wav": (("wav", "audio/wav", "audio/wav", "wav"),),
    "flac": (("flac", "audio/flac", "audio/flac", "flac"),),
    "amr": (("amr", "audio/amr", "audio/amr", "amr"),),
    "matroska,webm": (
        ("webm", "video/webm", "audio/webm", "webm"),
        ("matroska", "video/x-matroska", "audio/x-matroska", "mkv"),
    ),
}
ATTACHED_PICTURE = 0x0400  # AV_DISPOSITION_ATTACHED_PIC: an album cover, which may be anyone's photo


def clean(data: bytes) -> Cleaned | None:
    """A remuxed copy without metadata; None when the bytes are no audio or video container we know."""
    import av

    try:
        source = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        return None
    with source:
        targets = TARGETS.get(source.format.name)
        streams = [
            s
            for s in source.streams
            if s.type in ("audio", "video") and not int(s.disposition) & ATTACHED_PICTURE
        ]
        if targets is None or not streams:
            return None
        content = Content.VIDEO if any(s.type == "video" for s in streams) else Content.AUDIO
        if source.format.name.startswith("mov") and source.metadata.get("major_brand", "").strip() == "qt":
            targets = (MOV, MP4)  # a QuickTime file: some of its codecs are allowed in .mov only
        for muxer, video_mime, audio_mime, ext in targets:
            try:
                copy = _remux(data, muxer)
            except (av.FFmpegError, OSError, ValueError, KeyError):
                continue
            mime = video_mime if content is Content.VIDEO else audio_mime
            return Cleaned(Verdict.CLEANED, content, copy, mime, "m4a" if mime == "audio/mp4" else ext)
    return Cleaned(Verdict.NOT_CLEANABLE, content)


def _remux(data: bytes, muxer: str) -> bytes:
    import av

    out = io.BytesIO()
    with (
        av.open(io.BytesIO(data), mode="r") as source,
        av.open(out, mode="w", format=muxer, container_options={"fflags": "+bitexact"}) as target,
    ):
        streams = [
            s
            for s in source.streams
            if s.type in ("audio", "video") and not int(s.disposition) & ATTACHED_PICTURE
        ]
        mapping = {}
        for stream in streams:
            copy = target.add_stream_from_template(stream)
            copy.metadata.clear()  # language is harmless, but handler names and creation times are not
            mapping[stream.index] = copy
        for packet in source.demux(streams):
            if packet.dts is None:  # the flush packet at the end of each stream
                continue
            packet.stream = mapping[packet.stream.index]
            target.mux(packet)
    return out.getvalue()

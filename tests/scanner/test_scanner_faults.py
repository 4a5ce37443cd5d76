"""Known library faults never crash the scanner nor lose the frame's other reads."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
import segno
from scanner_drawing import code_image, place

from helpdesk.scanner import DecodePipeline
from helpdesk.scanner.decoders import OpenCvDecoder, ZbarDecoder


def _two_codes() -> np.ndarray:
    frame = np.full((360, 900), 255, np.uint8)
    place(frame, code_image("PER-000123", scale=2), (230, 180))
    place(frame, code_image("STU-00042", "Code39", scale=2), (680, 180))
    return frame


def test_pyzbar_orientation_fault_loses_nothing(monkeypatch: pytest.MonkeyPatch):
    import pyzbar.pyzbar

    frame = _two_codes()
    # zbar reporting an orientation value pyzbar's enum does not hold (as Debian's libzbar0 does
    # on some frames): pyzbar's own decode() raises and loses every read of the frame ...
    monkeypatch.setattr(pyzbar.pyzbar, "zbar_symbol_get_orientation", lambda symbol: 4294967295)
    with pytest.raises(ValueError, match="ZBarOrientation"):
        pyzbar.pyzbar.decode(frame)
    # ... the scanner's zbar decoder does not ask for it and keeps both.
    texts = sorted(r.text for r in ZbarDecoder(min_quality=1)(frame))
    assert texts == ["PER-000123", "STU-00042"]


def test_one_bad_zbar_symbol_does_not_lose_the_others(monkeypatch: pytest.MonkeyPatch):
    from pyzbar import wrapper

    real = wrapper.zbar_symbol_get_quality
    calls = []

    def failing_once(symbol):
        calls.append(symbol)
        if len(calls) == 1:
            raise ValueError("-1 is not a valid ZBarOrientation")
        return real(symbol)

    monkeypatch.setattr(wrapper, "zbar_symbol_get_quality", failing_once)
    reads = ZbarDecoder(min_quality=1)(_two_codes())
    assert len(reads) == 1 and reads[0].text in {"PER-000123", "STU-00042"}


def _qr(content, **kwargs) -> np.ndarray:
    buffer = io.BytesIO()
    segno.make_qr(content, **kwargs).save(buffer, kind="png", scale=6, border=4)
    return cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)


def test_opencv_qr_fault_on_a_non_utf8_payload_loses_nothing():
    binary = _qr(b"\xff\xfe\x80\x81binary", eci=True, encoding="utf-8")
    frame = np.full((400, 640), 255, np.uint8)
    frame[20 : 20 + binary.shape[0], 20 : 20 + binary.shape[1]] = binary
    text = _qr("TKT-000045")
    frame[20 : 20 + text.shape[0], 340 : 340 + text.shape[1]] = text
    with pytest.raises(UnicodeDecodeError):
        cv2.QRCodeDetector().detectAndDecodeMulti(frame)  # the library's own fault
    assert [r.text for r in OpenCvDecoder()(frame)] == ["TKT-000045"]
    texts = {r.text for r in DecodePipeline().decode(frame)}
    assert "TKT-000045" in texts and len(texts) == 2


def test_a_decoder_raising_is_no_read_not_a_crash(monkeypatch: pytest.MonkeyPatch):
    import zxingcpp

    def broken(*args, **kwargs):
        raise RuntimeError("library failure")

    monkeypatch.setattr(zxingcpp, "read_barcodes", broken)
    frame = _two_codes()
    reads = DecodePipeline().decode(frame)  # the zbar rescue still gets what it can
    assert {r.text for r in reads} <= {"PER-000123", "STU-00042"}

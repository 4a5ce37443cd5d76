"""The labels area in the main window: listed in the sidebar, opened with its key, loaded."""

from __future__ import annotations


def test_labels_area_opens_in_the_main_window(qtbot, labels_ui_ctx, labels_ui_school):  # noqa: ANN001
    from helpdesk.ui.labels.panel import LabelsPanel
    from helpdesk.ui.main_window import MainWindow

    window = MainWindow(labels_ui_ctx, school_name="Northfield Academy")
    qtbot.addWidget(window)
    window.show()
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert "Labels" in titles
    window.show_area("labels")
    panel = window.panels["labels"]
    assert isinstance(panel, LabelsPanel) and window.current_area() == "labels"
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert panel.preview.request.describe() == "form 7A"
    # a student's card scanned here is no device's: looked up, refused, and the counter takes it
    window.route_scan("S0001")
    qtbot.waitUntil(lambda: window.current_area() == "counter", timeout=5000)
    assert "'S0001' is not the asset tag" in panel.message.text()
    window.close()


def test_save_dialog_names_the_batch_and_starts_in_the_folder_used_last(
    qtbot,  # noqa: ANN001
    labels_ui_panel,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
):
    from helpdesk.ui.labels import output as label_output

    asked: list[str] = []
    folder = tmp_path / "pickup-day"
    folder.mkdir()

    def answer(_parent, _title, suggested, _filter):  # noqa: ANN001, ANN202
        asked.append(suggested)
        return str(folder / suggested.rsplit("/", 1)[-1]), "PDF files (*.pdf)"

    monkeypatch.setattr(label_output.QFileDialog, "getSaveFileName", answer)
    panel = labels_ui_panel
    panel.set_source("form", "8B")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    panel.save_pdf()
    qtbot.waitUntil(lambda: panel.message.property("tone") == "good", timeout=15000)
    assert asked[0].endswith("/labels-form-8B.pdf")
    assert (folder / "labels-form-8B.pdf").is_file()
    panel.save_handover()
    qtbot.waitUntil(lambda: panel.message_text().startswith("Saved 2 hand-over"), timeout=15000)
    assert asked[1] == str(folder / "hand-over-form-8B.pdf")  # the folder used last
    assert (folder / "hand-over-form-8B.pdf").is_file()

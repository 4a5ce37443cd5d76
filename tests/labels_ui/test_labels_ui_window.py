"""The labels area in the main window: listed in the sidebar, opened with its key, loaded."""

from __future__ import annotations


def test_labels_area_opens_in_the_main_window(qtbot, labels_ui_ctx, labels_ui_school):  # noqa: ANN001
    from helpdesk.ui.labels_panel import LabelsPanel
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
    window.close()

import pytest

from reports.images import ChartImages, ImageError, static_figure

FIGURE = {
    "data": [{"type": "scatter", "x": ["2024-01-01", "2024-01-08"], "y": [1, 3]}],
    "layout": {"title": {"text": "Seclusion"}, "height": 340, "hovermode": "closest"},
}


def test_a_still_image_has_a_fixed_size_and_no_hover():
    fig = static_figure(FIGURE, 800, 300)
    assert (fig["layout"]["width"], fig["layout"]["height"]) == (800, 300)
    assert fig["layout"]["hovermode"] is False
    assert FIGURE["layout"]["height"] == 340  # the page's figure is not changed


def test_a_missing_chromium_is_a_clear_error():
    with (
        pytest.raises(ImageError, match="Chromium could not draw the chart"),
        ChartImages(browser_path="/nonexistent/chromium"),
    ):
        pass


@pytest.mark.slow
def test_one_browser_draws_every_image():
    with ChartImages() as images:
        first, second = images.png(FIGURE), images.png(FIGURE, 600, 200)
    assert first.startswith(b"\x89PNG") and second.startswith(b"\x89PNG")
    assert first != second

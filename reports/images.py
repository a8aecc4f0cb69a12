"""Static PNGs of the charts through kaleido, with ONE Chromium for a whole pack.

Starting Chromium costs seconds (about 5 s here) and each image about half a second once it
runs, so a 14-chart pack opens one `kaleido.Kaleido` and renders every chart in it
(BENCHMARKS.md, "Board pack images"). Kaleido is asyncio; the pack's task is not (it writes
progress to the database between images, which Django refuses inside an event loop), so the
browser lives on an event loop in a thread of its own and `png()` waits for each image."""

import asyncio
import contextlib
import copy
import threading

import kaleido
from django.conf import settings

WIDTH, HEIGHT, SCALE = 1200, 520, 1.5
TIMEOUT = 60  # seconds for one image; a hung browser fails the pack, never the worker


class ImageError(Exception):
    """The chart images could not be drawn (Chromium missing, crashed or hung)."""


def static_figure(figure: dict, width: int = WIDTH, height: int = HEIGHT) -> dict:
    """The page's figure as a still image: fixed size, no hover, a legend that fits."""
    fig = copy.deepcopy(figure)
    layout = fig.setdefault("layout", {})
    layout.update(width=width, height=height, hovermode=False,
                  font={"family": "Arial, Helvetica, sans-serif", "size": 13})  # fmt: skip
    layout["margin"] = {"l": 70, "r": 20, "t": 50, "b": 90}
    layout["legend"] = {"orientation": "h", "y": -0.22, "font": {"size": 11}}
    return fig


class ChartImages:
    """`with ChartImages() as images: images.png(figure)`: one browser for every image."""

    def __init__(self, browser_path: str | None = None):
        self.browser_path = browser_path or settings.REPORTS_CHROMIUM
        self.loop = None
        self.thread = None
        self.kaleido = None

    def __enter__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        try:
            self._run(self._open(), TIMEOUT)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    async def _open(self):
        # mathjax=False: no CDN at run time; plotly.js comes from the installed plotly.
        self.kaleido = kaleido.Kaleido(n=1, mathjax=False, timeout=TIMEOUT,
                                       path=self.browser_path)  # fmt: skip
        await self.kaleido.open()

    def _run(self, coroutine, timeout):
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise ImageError(f"Chromium did not draw the chart within {timeout} s.") from None
        except ImageError:
            raise
        except Exception as error:  # kaleido's and choreographer's errors have no common base
            raise ImageError(f"Chromium could not draw the chart: {error}") from error

    def png(self, figure: dict, width: int = WIDTH, height: int = HEIGHT) -> bytes:
        fig = static_figure(figure, width, height)
        opts = {"format": "png", "width": width, "height": height, "scale": SCALE}
        return self._run(self.kaleido.calc_fig(fig, opts=opts), TIMEOUT)

    def __exit__(self, *exc):
        if self.kaleido is not None:
            # Closing a browser that already died: nothing left to do.
            with contextlib.suppress(ImageError):
                self._run(self.kaleido.close(), 20)
            self.kaleido = None
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()
            self.loop = None
        return False


def one_png(figure: dict) -> bytes:
    """One image in a browser of its own (the benchmark's comparison; never used by packs)."""
    with ChartImages() as images:
        return images.png(figure)

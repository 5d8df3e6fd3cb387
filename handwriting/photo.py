"""Clean a phone photo of a handwritten page before reading it, as a document scanner app does.

    clean_photo(image) → CleanPhoto(image, sheet, quarter_turns, transform)

1. `find_sheet`: the sheet of paper in the photo, the largest bright convex quadrilateral with
   clear edges covering 20-98 % of the picture (None for a scan or a canvas drawing, which is
   already just the page: those are left untouched).
2. `flatten`: the sheet warped to a flat rectangle of its own aspect ratio (the mean length of
   its opposite sides), a hair inside its edges so that no desk is left.
3. `even_light`: the paper's light (a closing of the picture shrunk to blocks, smoothed) divided
   out: shadows and gradients go, paper becomes 1.0, ink keeps its contrast; what reaches in
   over the page's edge far thicker than a pen (fingers: `intruders`) is painted over with paper.
4. `upright` (`orientation`): a page turned a quarter turn is told by its text lines (the rows'
   ink profile is sharper than the columns'); upside down by three cues weighed together: Latin
   letters rise above the x-height band more often than they drop below it, lines start at a
   common left margin and end ragged, and writing starts at the top of a page. A half turn is
   made only with 3 or more text lines or writing clearly off the page's centre (fewer lines are
   too often misjudged: such a page upside down stays so).

Grey here is float32 in [0, 1], paper bright. A photo is read in the channel that shows ink
best: the darkest of red, green and blue at each pixel. Blue ink is as dark there as in its red
channel (far darker than in Pillow's luma), black ink and pencil are as in grey, white paper stays
white, and a wooden desk or a hand (warm colours, little blue) is darker than in luma, which
also sets the sheet apart from them.

Boxes read on the cleaned page are in the cleaned page's pixels; `CleanPhoto.transform`
(`PageTransform`) maps them back to the photo's pixels where a caller wants to draw on the photo.

Libraries: NumPy, SciPy and Pillow only, which the app already has. OpenCV's headless wheel
(opencv-python-headless 4.13.0.92) would add 158 MB to the install (cv2 77 MB plus its bundled
libraries 81 MB) and scikit-image 0.26.0 about 57 MB (skimage 32 MB, networkx 19 MB, imageio,
tifffile, lazy_loader); what they would bring here (contours, a convex hull, a perspective warp)
is SciPy's ConvexHull and labelling on a 512-pixel copy and Pillow's perspective transform, which
take milliseconds, so neither is worth its size (`benchmarks/photos.py` measures the whole chain).

Measured by `benchmarks/photos.py` on 40 synthetic 12-megapixel photos of evaluation-only UJI
pages: the sheet found with every corner within 3 % in 90 % (median error 0.5 %), the reader's
line finder counting the lines exactly on 95 % of the cleaned pages against 2.5 % of the photos,
92.5 % turned upright, 0.17-0.19 s a photo (median; at most 0.35 s).
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageOps
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from handwriting.ink import sent_size

FIND_SIDE = 512  # the sheet is looked for on a copy at most this large
PAGE_SIDE = 1600  # the flattened page is at most this large (the reader's READ_SIDE)
DECODE_SIDE = 2000  # a JPEG is decoded at the smallest scale still at least this large
MIN_SHARE, MAX_SHARE = 0.2, 0.98  # of the picture the sheet covers
MIN_FILL = 0.9  # the bright region fills at least this share of its quadrilateral (and vice versa)
MIN_EDGES = 0.7  # at least this share of the sheet's edge is a clear step from paper to desk...
MIN_SIDE_EDGE = 0.4  # ...and this share of each side
EDGE_STEP = 0.1  # ...paper brighter than what lies outside by this share...
EDGE_REACH = 0.012  # ...measured this share of the picture's size inside and outside the edge
FRAME_MARGIN = 0.015  # a side this near the picture's border (a share of its size) lies along it
THRESHOLDS = 10  # bright regions are tried at this many grey levels...
BROAD_LIGHT = 0.25  # ...of the picture and of it divided by its blur over this share of its size
OPENING = 5  # pixels: bright regions are opened by a square this large (links, specks, text gone)
SNAP_SKIP = 0.98  # sides at least this much edge stay; others may move (`_snapped`)...
SNAP_REACH = 0.25  # ...by up to this share of the picture at either end...
SNAP_STEP = 5  # ...tried every this many pixels, then pixel by pixel...
SNAP_SHARE = 0.8  # ...to a line at least this much edge...
SNAP_GAIN = 1.3  # ...and this many times more clearly one than the side was...
SNAP_EDGE_REACH = 0.004  # ...both measured this share of the picture's size inside and outside
GOOD_ENOUGH = 0.95  # a sheet found this surely in the picture as it is needs no second look
INSET = 0.004  # the flattened page is cut this share of its size inside the sheet's edges
LIGHT_BLOCKS = 100  # the paper's light is estimated on blocks: this many across the longer side...
LIGHT_QUANTILE = 0.9  # ...as this quantile of each block's pixels...
LIGHT_CLOSING = 3  # ...then a grey closing over this many blocks...
LIGHT_BLUR = 0.7  # ...and a blur over this many
PAPER_WHITE = 0.96  # after division, what is at least this share of the paper's median is paper (1.0)


@dataclass(frozen=True)
class PageTransform:
    """Maps pixels of the cleaned page back to the photo's pixels (upright per its EXIF)."""

    matrix: np.ndarray  # 3x3 homography: cleaned page (x, y, 1) → photo (x, y, w)
    page_size: tuple  # (width, height) of the cleaned page

    def to_photo(self, points):
        """(n, 2) points (x, y) of the cleaned page in the photo's pixels."""
        points = np.asarray(points, np.float64).reshape(-1, 2)
        mapped = np.column_stack([points, np.ones(len(points))]) @ self.matrix.T
        return mapped[:, :2] / mapped[:, 2:3]

    def box_to_photo(self, box):
        """The (x, y, w, h) box around an (x, y, w, h) box of the cleaned page, in the photo."""
        x, y, w, h = box
        corners = self.to_photo([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
        low, high = corners.min(axis=0), corners.max(axis=0)
        return (float(low[0]), float(low[1]), float(high[0] - low[0]), float(high[1] - low[1]))

    def sheet_in_photo(self):
        """The cleaned page's corners (top-left, top-right, bottom-right, bottom-left) in the photo."""
        width, height = self.page_size
        return self.to_photo([(0, 0), (width, 0), (width, height), (0, height)])


@dataclass
class CleanPhoto:
    """What `clean_photo` made of a picture."""

    image: Image.Image  # the cleaned page (mode L), or the picture itself when nothing was done
    sheet: np.ndarray | None  # (4, 2) corners of the sheet found in the photo's pixels, or None
    quarter_turns: int  # counter-clockwise quarter turns that made the page upright (0-3)
    transform: PageTransform  # cleaned page pixels → photo pixels

    @property
    def changed(self):
        return self.sheet is not None or self.quarter_turns != 0


# ---- the sheet ----------------------------------------------------------------------------------

def _shrunk(grey, side):
    """The grey picture shrunk (box filter) to at most `side` pixels, and the factor (≥ 1) it
    was shrunk by."""
    factor = max(grey.shape) / side
    if factor <= 1:
        return grey, 1.0
    size = (max(1, round(grey.shape[1] / factor)), max(1, round(grey.shape[0] / factor)))
    small = Image.fromarray(np.asarray(grey, np.float32), "F").resize(size, Image.Resampling.BOX)
    return np.asarray(small), grey.shape[1] / size[0]


def _clockwise(points):
    """Four points ordered clockwise on screen (y down), starting at the top-left one."""
    points = np.asarray(points, np.float64)
    centre = points.mean(axis=0)
    points = points[np.argsort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))]
    return np.roll(points, -int(np.argmin(points.sum(axis=1))), axis=0)


def _polygon_area(points):
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _four_corners(hull):
    """The hull polygon reduced to four of its vertices, dropping each time the vertex whose
    triangle with its neighbours is smallest (Visvalingam)."""
    points = np.asarray(hull, np.float64)
    while len(points) > 4:
        before, after = np.roll(points, 1, axis=0), np.roll(points, -1, axis=0)
        areas = np.abs(np.cross(points - before, after - points))
        points = np.delete(points, int(np.argmin(areas)), axis=0)
    return points


def _fit_line(points):
    """(point, unit direction) of the total-least-squares line through points."""
    centre = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - centre, full_matrices=False)
    return centre, vt[0]


def _intersection(line_a, line_b):
    (p, d), (q, e) = line_a, line_b
    matrix = np.array([d, -e]).T
    if abs(np.linalg.det(matrix)) < 1e-9:
        return None
    t = np.linalg.solve(matrix, q - p)
    return p + t[0] * d


def _refined(corners, boundary, reach):
    """Each side of the quadrilateral refitted to the boundary points near it (outliers such as a
    hand or a notch dropped), the corners moved to where the sides meet."""
    lines = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        length = np.linalg.norm(b - a)
        direction = (b - a) / max(length, 1e-9)
        normal = np.array([-direction[1], direction[0]])
        along = (boundary - a) @ direction / max(length, 1e-9)
        across = np.abs((boundary - a) @ normal)
        near = boundary[(along > 0.08) & (along < 0.92) & (across < reach)]
        line = (a, direction)
        for _ in range(3):
            if len(near) < 8:
                break
            line = _fit_line(near)
            residual = np.abs((near - line[0]) @ np.array([-line[1][1], line[1][0]]))
            keep = residual <= max(1.0, 2.5 * np.median(residual))
            if keep.all():
                break
            near = near[keep]
        lines.append(line)
    refined = [_intersection(lines[i - 1], lines[i]) for i in range(4)]
    if any(point is None for point in refined):
        return corners
    return np.array(refined)


def _polygon_mask(corners, shape):
    mask = Image.new("1", (shape[1], shape[0]), 0)
    ImageDraw.Draw(mask).polygon([tuple(p) for p in corners + 0.5], fill=1)
    return np.asarray(mask, bool)


def _side_edges(small, corners):
    """For each side of the quadrilateral, the share of it where the inside is clearly brighter
    than the outside (a ratio, so a shadow over the edge keeps it); NaN for a side lying along
    the picture's border (a sheet cut off by the frame)."""
    height, width = small.shape
    reach = EDGE_REACH * max(height, width) + 1
    frame = FRAME_MARGIN * max(height, width) + 1
    centre = corners.mean(axis=0)
    shares = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        ends = np.array([a, b])
        if any(np.all(np.abs(ends[:, axis] - edge) < frame) for axis, edge in
               ((0, 0), (0, width), (1, 0), (1, height))):
            shares.append(np.nan)  # along the frame
            continue
        direction = (b - a) / max(np.linalg.norm(b - a), 1e-9)
        normal = np.array([-direction[1], direction[0]])
        if np.dot(centre - a, normal) < 0:
            normal = -normal  # pointing inwards
        points = a + np.linspace(0.05, 0.95, 40)[:, None] * (b - a)
        inside, outside = points + reach * normal, points - reach * normal
        seen = (outside[:, 0] >= 0) & (outside[:, 0] <= width) & (outside[:, 1] >= 0) & (outside[:, 1] <= height)
        inner = ndimage.map_coordinates(small, [inside[:, 1] - 0.5, inside[:, 0] - 0.5], order=1, mode="nearest")
        outer = ndimage.map_coordinates(small, [outside[:, 1] - 0.5, outside[:, 0] - 0.5], order=1, mode="nearest")
        shares.append(float(np.mean(seen & (inner > outer * (1 + EDGE_STEP)))))
    return np.array(shares)


def _candidate(small, mask):
    """(score, corners) of the quadrilateral around the largest region of a bright mask, or None."""
    labels, count = ndimage.label(mask)
    if count == 0:
        return None
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    region = ndimage.binary_fill_holes(labels == np.argmax(sizes))
    share = region.mean()
    if not MIN_SHARE * 0.8 <= share <= MAX_SHARE:
        return None
    inner = ndimage.minimum_filter(region.view(np.uint8), size=3, mode="constant", cval=0)
    edge = region & (inner == 0)
    ys, xs = np.nonzero(edge)
    boundary = np.column_stack([xs, ys]).astype(np.float64)
    try:
        hull = boundary[ConvexHull(boundary).vertices]
    except (QhullError, ValueError):
        return None
    corners = _clockwise(_four_corners(hull))
    corners = _clockwise(_refined(corners, boundary, 0.02 * max(small.shape) + 2))
    area = _polygon_area(corners)
    if not MIN_SHARE <= area / small.size <= MAX_SHARE:
        return None
    if not _convex(corners):
        return None
    quad = _polygon_mask(corners, small.shape)
    overlap = np.count_nonzero(quad & region)
    fill = overlap / max(1, np.count_nonzero(quad | region))
    edges = _side_edges(small, corners + 0.5)
    if np.isnan(edges).all():
        return None  # the whole picture: no sheet on a desk
    edges = np.nan_to_num(edges, nan=1.0)  # a sheet cut off by the frame
    if fill < MIN_FILL or edges.mean() < MIN_EDGES or edges.min() < MIN_SIDE_EDGE:
        return None
    return fill * edges.mean(), corners


def _convex(corners):
    crosses = []
    for i in range(4):
        a, b, c = corners[i - 1], corners[i], corners[(i + 1) % 4]
        crosses.append(np.cross(b - a, c - b))
    return all(c > 0 for c in crosses) or all(c < 0 for c in crosses)


def _opened(mask, size):
    """Binary opening by a size x size square (separable, so fast): thin links and specks gone."""
    eroded = ndimage.minimum_filter(mask.view(np.uint8), size=size, mode="nearest")
    return ndimage.maximum_filter(eroded, size=size, mode="nearest").view(bool)


def _line_edges(small, a, b, normal, offsets):
    """(share, strength) of the edge along each line from a + p * normal to b + q * normal, for
    (p, q) in `offsets`: the share of it where the inside (towards `normal`) is clearly brighter
    than the outside a few pixels away (a sharp step, not a shadow's soft one), and the mean log
    ratio of the two (0..1.5)."""
    height, width = small.shape
    reach = SNAP_EDGE_REACH * max(height, width) + 1
    starts = a + offsets[:, :1] * normal
    ends = b + offsets[:, 1:] * normal
    t = np.linspace(0.05, 0.95, 40)[None, :, None]
    points = starts[:, None, :] + t * (ends - starts)[:, None, :]
    inside, outside = points + reach * normal, points - reach * normal
    seen = ((outside[..., 0] >= 0) & (outside[..., 0] <= width) & (outside[..., 1] >= 0)
            & (outside[..., 1] <= height))

    def sample(at):
        values = ndimage.map_coordinates(small, [at[..., 1].ravel() - 0.5, at[..., 0].ravel() - 0.5], order=1,
                                         mode="nearest")
        return np.maximum(values.reshape(at.shape[:2]), 1e-3)

    ratio = np.log(sample(inside) / sample(outside))
    share = np.mean(seen & (ratio > np.log1p(EDGE_STEP)), axis=1)
    return share, np.mean(np.clip(ratio, 0, 1.5), axis=1)


def _snapped(small, corners):
    """The quadrilateral (continuous coordinates of `small`) with each side that is not all edge
    moved to the nearby straight line that is most clearly one (a shadow across the sheet cuts the
    bright region short; the sheet's own edge goes on, straight, in the shadow)."""
    centre = corners.mean(axis=0)
    lines = []
    moved = False
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        direction = (b - a) / max(np.linalg.norm(b - a), 1e-9)
        normal = np.array([-direction[1], direction[0]])
        if np.dot(centre - a, normal) < 0:
            normal = -normal  # pointing inwards
        share, strength = _line_edges(small, a, b, normal, np.zeros((1, 2)))
        current = share[0] * strength[0]
        lines.append((a, direction))
        if share[0] >= SNAP_SKIP:
            continue
        reach = SNAP_REACH * max(small.shape)
        grid = np.arange(-reach, reach + 1, SNAP_STEP)
        offsets = np.stack(np.meshgrid(grid, grid, indexing="ij"), axis=-1).reshape(-1, 2)
        share, strength = _line_edges(small, a, b, normal, offsets)
        best = int(np.argmax(share * strength))
        fine = offsets[best] + np.stack(np.meshgrid(*[np.arange(-SNAP_STEP, SNAP_STEP + 1)] * 2, indexing="ij"),
                                        axis=-1).reshape(-1, 2)
        share, strength = _line_edges(small, a, b, normal, fine)
        best = int(np.argmax(share * strength))
        if share[best] >= SNAP_SHARE and share[best] * strength[best] > SNAP_GAIN * current:
            start, end = a + fine[best, 0] * normal, b + fine[best, 1] * normal
            lines[-1] = (start, (end - start) / max(np.linalg.norm(end - start), 1e-9))
            moved = True
    if not moved:
        return corners
    snapped = [_intersection(lines[i - 1], lines[i]) for i in range(4)]
    if any(point is None for point in snapped):
        return corners
    snapped = np.array(snapped)
    height, width = small.shape
    area = _polygon_area(snapped) / (height * width)
    inside = np.all((snapped > -0.05 * max(small.shape)) & (snapped < np.array([width, height]) * 1.05), axis=1)
    if not (_convex(snapped) and MIN_SHARE <= area <= MAX_SHARE and inside.all()):
        return corners
    return _clockwise(snapped)


def _broad_light(small):
    """The picture blurred over BROAD_LIGHT of its size (on a copy an eighth as large)."""
    height, width = small.shape
    tiny = Image.fromarray(small, "F").resize((max(1, width // 8), max(1, height // 8)), Image.Resampling.BOX)
    blurred = ndimage.gaussian_filter(np.asarray(tiny), BROAD_LIGHT * max(small.shape) / 8, mode="nearest")
    light = Image.fromarray(np.float32(blurred), "F").resize((width, height), Image.Resampling.BILINEAR)
    return np.maximum(np.asarray(light), 1e-3)


def find_sheet(grey):
    """The sheet of paper in a photo: (4, 2) corners (x, y) in `grey`'s pixels (pixel (row i,
    column j) spans x in [j, j + 1), y in [i, i + 1)), clockwise from the top-left; None when no
    bright quadrilateral with clear edges covers 20-98 % of the picture (a scan or a drawing
    that is already just the page).

    Bright regions at several grey levels (of the picture, then of it divided by its broad light)
    are opened, their largest one's convex hull cut to four corners, each side refitted to the
    region's boundary; the quadrilateral that the region fills best and whose sides are most
    clearly edges wins; sides that are not all edge are snapped to the nearby straight edge
    (`_snapped`: a shadow may cut a bright region short)."""
    small, factor = _shrunk(np.asarray(grey, np.float32), FIND_SIDE)
    small = ndimage.gaussian_filter(small, 1.0)
    low, high = np.quantile(small, [0.02, 0.98])
    if high - low < 0.1:
        return None  # one even tone: no desk around a sheet
    best = None
    # the picture as it is, and divided by its broad light (a gradient across the desk and sheet)
    for picture in (small, None):
        if picture is None:
            if best is not None and best[0] >= GOOD_ENOUGH:
                break
            picture = small / _broad_light(small)
        low, high = np.quantile(picture, [0.02, 0.98])
        for level in np.linspace(low, high, THRESHOLDS + 2)[1:-1]:
            mask = _opened(picture > level, OPENING)
            candidate = _candidate(small, mask)
            if candidate is not None and (best is None or candidate[0] > best[0]):
                best = candidate
    if best is None:
        return None
    return _snapped(small, best[1] + 0.5) * factor


# ---- flattening ---------------------------------------------------------------------------------

def homography(source, target):
    """3x3 matrix mapping 4 source points to 4 target points."""
    rows = []
    for (x, y), (u, v) in zip(source, target):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    _, _, vt = np.linalg.svd(np.asarray(rows, np.float64))
    matrix = vt[-1].reshape(3, 3)
    return matrix / matrix[2, 2]


def sheet_size(quad):
    """(width, height) of the sheet in pixels: the mean lengths of its opposite sides."""
    quad = np.asarray(quad, np.float64)
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    return (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2


def flatten(grey, quad, max_side=PAGE_SIDE):
    """The sheet `quad` (corners clockwise from top-left, `grey`'s pixels) warped to a flat
    rectangle of the sheet's aspect ratio, at most `max_side` pixels (never enlarged), cut a hair
    inside its edges. Returns (page grey, PageTransform from the page to `grey`'s pixels)."""
    quad = np.asarray(quad, np.float64)
    width, height = sheet_size(quad)
    scale = min(1.0, max_side / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    rectangle = np.array([(0, 0), (size[0], 0), size, (0, size[1])], np.float64)
    to_sheet = homography(rectangle, quad)
    inset = INSET * np.array(size)
    inner = rectangle + np.array([(1, 1), (-1, 1), (-1, -1), (1, -1)]) * inset
    inner_quad = _apply(to_sheet, inner)
    matrix = homography(rectangle, inner_quad)
    page = Image.fromarray(np.asarray(grey, np.float32), "F").transform(
        size, Image.Transform.PERSPECTIVE, tuple(matrix.ravel()[:8]), Image.Resampling.BILINEAR)
    return np.asarray(page, np.float32), PageTransform(matrix, size)


def _apply(matrix, points):
    mapped = np.column_stack([points, np.ones(len(points))]) @ matrix.T
    return mapped[:, :2] / mapped[:, 2:3]


# ---- light --------------------------------------------------------------------------------------

def _block_quantile(grey, block, q):
    """The q-quantile of each block x block tile (edges repeated to whole tiles)."""
    height, width = grey.shape
    rows, columns = -(-height // block), -(-width // block)
    padded = np.pad(grey, ((0, rows * block - height), (0, columns * block - width)), mode="edge")
    tiles = padded.reshape(rows, block, columns, block).transpose(0, 2, 1, 3).reshape(rows, columns, -1)
    k = int(q * (block * block - 1))
    return np.partition(tiles, k, axis=2)[:, :, k]


def paper_light(grey, closing=LIGHT_CLOSING):
    """The light falling on the paper at each pixel: a high quantile of blocks (ink is a small
    share of each), closed over `closing` blocks (wider ink gone), smoothed, enlarged back."""
    block = max(2, round(max(grey.shape) / LIGHT_BLOCKS))
    tiles = _block_quantile(grey, block, LIGHT_QUANTILE)
    tiles = ndimage.grey_closing(tiles, size=(closing, closing), mode="nearest")
    tiles = ndimage.gaussian_filter(tiles, LIGHT_BLUR, mode="nearest")
    rows, columns = tiles.shape
    light = Image.fromarray(np.float32(tiles), "F").resize(
        (columns * block, rows * block), Image.Resampling.BILINEAR)
    return np.asarray(light, np.float32)[: grey.shape[0], : grey.shape[1]]


def even_light(grey):
    """The page with its light divided out: shadows and gradients gone, paper ~1.0, ink of any
    colour as dark as it was against its own paper."""
    grey = np.asarray(grey, np.float32)
    flat = grey / np.maximum(paper_light(grey), 0.02)
    paper = float(np.median(flat[::4, ::4]))  # ink covers far less than half a page
    return np.clip(flat / max(PAPER_WHITE * paper, 1e-3), 0.0, 1.0).astype(np.float32)


# ---- orientation ----------------------------------------------------------------------------------

ORIENT_SIDE = 800  # orientation is judged on the page shrunk to at most this large
ORIENT_INK = 0.3  # ...on ink at least this share of the page's darkest ink (ruled lines are fainter)
ORIENT_MIN_PEAK = 0.05  # a page whose darkest ink is paler than this is blank
ORIENT_POINTS = 40_000  # ...from at most this many ink pixels
ORIENT_ANGLES = np.radians(np.arange(-6.0, 6.01, 0.5))  # text lines may slope this much
ORIENT_BLUR = 2.0  # pixels (of the shrunk page): profiles are blurred this much for their sharpness
MIN_TURN = 0.15  # log ratio of the two directions' sharpness needed to turn a page a quarter turn
MIN_FLIP = 0.15  # combined upside-down evidence needed to turn a page a half turn...
MIN_FLIP_LINES = 3  # ...with at least this many text lines (fewer are too often misjudged)
MARGIN_WEIGHT = 0.5  # the margins cue counts this much beside the ascenders cue...
PLACEMENT_WEIGHT = 0.5  # ...and the placement cue this much
CLEAR_PLACEMENT = 0.3  # writing this far off the page's centre may flip a page of fewer lines
ORIENT_BLOB_INK = 0.25  # blobs (`_blobs`) are looked for in ink at least this dark...
BLOB_WIDTH = 0.02  # ...at least this share of the page's longer side thick
INTRUDER_SHARE = 0.8  # `intruders`: blobs darker than this share of the paper's light...
INTRUDER_CLOSING = 15  # ...measured over this many light blocks, reaching the page's edge, are no writing;
STRIP_DEPTH = 0.015  # ...nor dark runs along the edge within this share of the page's size...
STRIP_LENGTH = 0.05  # ...and at least this long
MIN_INK_POINTS = 200  # fewer ink pixels than this: too little writing to judge
LINE_BLUR = 0.5  # text lines are the peaks of the row profile blurred by this many ink piece heights...
LINE_APART = 0.8  # ...at least this many heights apart...
LINE_FLOOR = 0.05  # ...at least this share of the highest peak...
LINE_BUMP = 0.4  # ...and, between two lines, this share of the lower of the two


@dataclass
class Orientation:
    """How the writing on a page lies: what `upright` measured."""

    quarter_turns: int  # counter-clockwise quarter turns that make the page upright
    across: float  # log of rows' sharpness over columns' (> 0: lines run along the rows)
    ascenders: float  # -1..1: ink above the lines' cores minus below (> 0: upright)
    margins: float  # -1..1: spread of the lines' right ends minus their left ends' (> 0: upright)
    placement: float  # -1..1: blank paper below the writing minus above it (> 0: upright)
    lines: int  # text lines seen


def _blobs(mask, side, margin=1):
    """The parts of a mask thicker than any pen stroke (a hand, a clip, a patch of shadow): where
    a square BLOB_WIDTH of the picture's longer side `side` across fits (an opening), grown by
    `margin` pixels."""
    radius = max(2, round(BLOB_WIDTH * side / 2))
    cores = ndimage.minimum_filter(mask.view(np.uint8), size=2 * radius + 1, mode="nearest")
    if not cores.any():
        return np.zeros_like(mask)
    return ndimage.maximum_filter(cores, size=2 * (radius + margin) + 1, mode="nearest").view(bool)


def _ink_points(grey):
    """(x, y, weight) of the page's writing on a copy at most ORIENT_SIDE large (blobs thicker
    than a pen stroke left out), that copy's shape, and the median (height, width) of the
    writing's pieces; None when there is too little writing."""
    small, _ = _shrunk(np.asarray(grey, np.float32), ORIENT_SIDE)
    ink = 1.0 - small
    ink[_blobs(ink > ORIENT_BLOB_INK, max(small.shape), margin=2)] = 0
    peak = float(np.quantile(ink, 0.999))
    if peak < ORIENT_MIN_PEAK:
        return None
    ink = np.minimum(ink / peak, 1.0)
    mask = ink > ORIENT_INK
    ys, xs = np.nonzero(mask)
    if len(xs) < MIN_INK_POINTS:
        return None
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3), bool))
    boxes = [box for box in ndimage.find_objects(labels) if box is not None]
    sizes = np.array([(box[0].stop - box[0].start, box[1].stop - box[1].start) for box in boxes], np.float64)
    sizes = sizes[sizes.max(axis=1) >= 3]  # specks are no letters
    piece = np.median(sizes, axis=0) if len(sizes) else np.array([8.0, 8.0])
    if len(xs) > ORIENT_POINTS:
        pick = np.random.default_rng(0).choice(len(xs), ORIENT_POINTS, replace=False)
        ys, xs = ys[pick], xs[pick]
    return xs.astype(np.float64), ys.astype(np.float64), ink[ys, xs], small.shape, piece


def _profile(values, weights, blur):
    """Blurred histogram of values (one-pixel bins from the smallest)."""
    bins = np.rint(values - values.min()).astype(np.int64)
    profile = np.bincount(bins, weights=weights)
    return ndimage.gaussian_filter1d(profile, blur, mode="constant") if blur else profile


def _sharpness(profile):
    """How much a profile varies: its variance over its squared mean, along its inked span."""
    inked = np.nonzero(profile > 0.02 * profile.max())[0]
    if len(inked) < 3:
        return 0.0
    span = profile[inked[0] : inked[-1] + 1]
    return float(span.var() / max(span.mean() ** 2, 1e-12))


def _sharpest(along, across, weights):
    """(sharpness, angle) of the profile of `across` at the slope that makes it sharpest."""
    best = (0.0, 0.0)
    for angle in ORIENT_ANGLES:
        value = _sharpness(_profile(across - along * np.tan(angle), weights, ORIENT_BLUR))
        if value > best[0]:
            best = (value, angle)
    return best


def _text_lines(profile, height):
    """(top, core top, core bottom, bottom) rows of each text line of a row profile, its pieces of
    ink `height` pixels tall: lines are the profile's peaks at least LINE_APART heights apart,
    split at the lowest rows between them; a line's core (its x-height band) is the rows around
    its peak at least half as inked."""
    smooth = ndimage.gaussian_filter1d(profile, 1.0)
    coarse = ndimage.gaussian_filter1d(profile, max(1.0, LINE_BLUR * height))
    padded = np.concatenate([[-np.inf], coarse, [-np.inf]])
    maxima = np.nonzero((coarse >= padded[:-2]) & (coarse > padded[2:]))[0]
    maxima = maxima[coarse[maxima] >= LINE_FLOOR * coarse.max()]
    peaks = []
    for row in maxima[np.argsort(coarse[maxima])[::-1]]:
        if all(abs(row - peak) >= LINE_APART * height for peak in peaks):
            peaks.append(int(row))
    peaks.sort()
    # a bump of descenders or ascenders between two lines is no line
    peaks = [peak for n, peak in enumerate(peaks)
             if n in (0, len(peaks) - 1)
             or coarse[peak] >= LINE_BUMP * min(coarse[peaks[n - 1]], coarse[peaks[n + 1]])]
    lines = []
    for n, peak in enumerate(peaks):
        top = peaks[n - 1] + int(np.argmin(coarse[peaks[n - 1] : peak + 1])) if n else 0
        bottom = peak + int(np.argmin(coarse[peak : peaks[n + 1] + 1])) if n + 1 < len(peaks) else len(profile)
        level = 0.5 * smooth[peak]
        core_top = peak
        while core_top > top and smooth[core_top - 1] >= level:
            core_top -= 1
        core_bottom = peak
        while core_bottom < bottom - 1 and smooth[core_bottom + 1] >= level:
            core_bottom += 1
        lines.append((top, core_top, core_bottom + 1, bottom))
    return lines, smooth


def _upside_cues(xs, ys, weights, angle, height, page_height):
    """(ascenders, margins, placement, lines) of text whose lines run along the rows at `angle`
    on a page `page_height` tall: ink above the lines' cores minus below (Latin letters rise
    above the x-height more often than they descend below the baseline), the spread of the
    lines' right ends minus their left ends' (lines start at a common margin and end ragged),
    and the blank paper below the writing minus above it (writing starts at the top of a
    page), each in -1..1, > 0 for an upright page."""
    top, bottom = np.quantile(ys, [0.005, 0.995])
    placement = ((page_height - bottom) - top) / page_height
    rows = ys - xs * np.tan(angle)
    rows = rows - rows.min()
    profile = _profile(rows, weights, 0)
    lines, smooth = _text_lines(profile, height)
    above = below = 0.0
    lefts, rights = [], []
    for top, core_top, core_bottom, bottom in lines:
        above += smooth[top:core_top].sum()
        below += smooth[core_bottom:bottom].sum()
        inside = (rows >= core_top) & (rows < core_bottom)
        if np.count_nonzero(inside) >= 10:
            lefts.append(np.quantile(xs[inside], 0.005))
            rights.append(np.quantile(xs[inside], 0.995))
    ascenders = (above - below) / max(above + below, 1e-9)
    margins = 0.0
    if len(lefts) >= 3:
        left = np.median(np.abs(lefts - np.median(lefts)))
        right = np.median(np.abs(rights - np.median(rights)))
        margins = (right - left) / max(right + left, 1e-9)
    return ascenders, margins, placement, len(lines)


def orientation(grey):
    """How the writing on a page (grey, paper bright) lies: an `Orientation`.

    A quarter turn: text lines make the rows' ink profile sharper than the columns' (at the slope
    that sharpens each most). Upside down: the ascenders, margins and placement cues
    (`_upside_cues`) weighed together say so by MIN_FLIP, with at least MIN_FLIP_LINES lines of
    text or the writing clearly off the page's centre; a page whose lines run down the columns
    is turned whichever way these cues lean.
    """
    points = _ink_points(grey)
    if points is None:
        return Orientation(0, 0.0, 0.0, 0.0, 0.0, 0)
    xs, ys, weights, (height, width), piece = points
    rows, row_angle = _sharpest(xs, ys, weights)
    columns, column_angle = _sharpest(ys, xs, weights)
    across = float(np.log(max(rows, 1e-9) / max(columns, 1e-9)))
    if across >= -MIN_TURN:  # lines along the rows (or too unclear to turn): upright or upside down
        cues = _upside_cues(xs, ys, weights, row_angle, piece[0], height)
        turns = 0
    else:  # lines down the columns: the page turned a quarter turn counter-clockwise, (x, y) → (y, width - x)
        cues = _upside_cues(ys, width - 1 - xs, weights, -column_angle, piece[1], width)
        turns = 1
    ascenders, margins, placement, lines = cues
    upside = ascenders + MARGIN_WEIGHT * margins + PLACEMENT_WEIGHT * placement
    if turns == 1:
        flip = upside < 0
    else:
        clear = lines >= MIN_FLIP_LINES or abs(placement) >= CLEAR_PLACEMENT
        flip = clear and upside < -MIN_FLIP
    return Orientation(turns + 2 * flip, across, float(ascenders), float(margins), float(placement), lines)


def upright(grey):
    """(the page turned upright, counter-clockwise quarter turns applied: 0-3), by `orientation`."""
    turns = orientation(grey).quarter_turns
    return (np.ascontiguousarray(np.rot90(grey, turns)) if turns else grey), turns


def _edge_strips(dark):
    """Dark runs along the page's edges, within STRIP_DEPTH of its size and at least STRIP_LENGTH
    long: a sliver of desk left by a sheet found a little too large (grown by a pixel)."""
    height, width = dark.shape
    side = max(height, width)
    depth, length = max(2, round(STRIP_DEPTH * side)), max(3, round(STRIP_LENGTH * side))
    strips = np.zeros_like(dark)
    pixels = dark.view(np.uint8)
    along_rows = ndimage.maximum_filter(ndimage.minimum_filter(pixels, size=(1, length)), size=(1, length))
    along_columns = ndimage.maximum_filter(ndimage.minimum_filter(pixels, size=(length, 1)), size=(length, 1))
    strips[:depth] |= along_rows[:depth].view(bool)
    strips[-depth:] |= along_rows[-depth:].view(bool)
    strips[:, :depth] |= along_columns[:, :depth].view(bool)
    strips[:, -depth:] |= along_columns[:, -depth:].view(bool)
    if not strips.any():
        return strips
    # only strips that touch the edge: grow them from the border rows and columns inwards
    seeds = np.zeros_like(dark)
    seeds[[0, -1]] = strips[[0, -1]]
    seeds[:, [0, -1]] |= strips[:, [0, -1]]
    grown = ndimage.binary_propagation(seeds, mask=strips)
    return ndimage.binary_dilation(grown, iterations=1)


def intruders(grey):
    """Where something reaches in over the page's edge far thicker than a pen stroke (a hand, a
    clip, a strip of desk): a mask of the page, found before `even_light` (which would take a
    wide dark thing for paper in shadow), against the paper's light over wide blocks."""
    small, _ = _shrunk(np.asarray(grey, np.float32), ORIENT_SIDE)
    dark = small < INTRUDER_SHARE * paper_light(small, closing=INTRUDER_CLOSING)
    found = _edge_strips(dark)
    blobs = _blobs(dark, max(small.shape), margin=3)
    if blobs.any():
        labels, _ = ndimage.label(blobs)
        edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
        found |= np.isin(labels, edge[edge > 0])
    if not found.any():
        return None
    height, width = grey.shape
    cover = Image.fromarray(found.view(np.uint8) * 255).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(cover) > 0


# ---- the whole chain ------------------------------------------------------------------------------

def ink_grey(image):
    """The picture as float32 grey in [0, 1] in the channel that shows ink best: the darkest of
    red, green and blue at each pixel (plain grey for grey pictures)."""
    if image.mode == "RGB":
        red, green, blue = image.split()
        darkest = ImageChops.darker(ImageChops.darker(red, green), blue)
        return np.asarray(darkest, np.float32) / 255
    return np.asarray(image.convert("L"), np.float32) / 255


def _decoded(image):
    """The photo decoded (a JPEG at a reduced scale when it is not decoded yet), upright per its
    EXIF, in RGB or L; and the photo's (upright) size as sent (`handwriting.ink.sent_size`: the
    app may have decoded it smaller already)."""
    size = sent_size(image)
    if getattr(image, "tile", None) and image.format == "JPEG":
        scale = DECODE_SIDE / max(size)
        image.draft("RGB", (round(size[0] * scale), round(size[1] * scale)))
    orientation = image.getexif().get(0x0112, 1) if hasattr(image, "getexif") else 1
    if orientation in (5, 6, 7, 8):
        size = size[::-1]
    image = ImageOps.exif_transpose(image) if orientation != 1 else image
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if max(image.size) > DECODE_SIDE * 1.5:
        factor = int(max(image.size) // DECODE_SIDE)
        image = image.reduce(factor)
    return image, size


def _is_photo(image):
    """Pictures that may be photos: no transparency, 8-bit colour or grey."""
    return image.mode in ("RGB", "L", "CMYK", "YCbCr") and "transparency" not in image.info


def clean_photo(image):
    """A photo of a page cleaned for reading (a `CleanPhoto`): the sheet found and flattened, its
    light evened, turned upright; the cleaned page is grey (mode L), at most PAGE_SIDE large.

    A picture with no sheet in it (a scan, a drawing, a photo filled by the page) comes back as it
    is. Pictures that cannot be photos (transparency, 16-bit, palette) always come back as they are. A JPEG not decoded yet is decoded at a reduced scale (`Image.draft`,
    at least DECODE_SIDE pixels): a picture that comes back as it is comes back so decoded.
    """
    if not _is_photo(image):
        return CleanPhoto(image, None, 0, PageTransform(np.eye(3), image.size))
    decoded, photo_size = _decoded(image)
    grey = ink_grey(decoded)
    to_photo = np.diag([photo_size[0] / decoded.size[0], photo_size[1] / decoded.size[1], 1.0])
    untouched = CleanPhoto(image, None, 0, PageTransform(to_photo, decoded.size))
    quad = find_sheet(grey)
    if quad is None:
        # A scan, a drawing, a cropped page: read as sent, so that its boxes stay in its pixels (a
        # single line of big letters can look sideways to `upright`).
        return untouched
    page, transform = flatten(grey, quad)
    cover = intruders(page)
    page = even_light(page)
    if cover is not None:
        page[cover] = 1.0  # paper over the fingers
    page, turns = upright(page)
    height, width = page.shape
    matrix = to_photo @ transform.matrix @ _unturn(turns, (width, height))
    cleaned = Image.fromarray(np.uint8(np.rint(page * 255)), "L")
    return CleanPhoto(cleaned, _apply(to_photo, quad), turns, PageTransform(matrix, (width, height)))


def _unturn(turns, size):
    """3x3 matrix from a page turned `turns` quarter turns counter-clockwise (np.rot90), of
    size (width, height), back to the page before the turns."""
    width, height = size
    matrix = np.eye(3)
    for _ in range(turns % 4):  # undo the last turn first: (x, y) turned → (height - y, x) before
        matrix = np.array([[0, -1, height], [1, 0, 0], [0, 0, 1]], np.float64) @ matrix
        width, height = height, width
    return matrix

// <vigil-heatmap>: the whole site on one canvas, one small square per GPU, grouped row -> rack -> host. The server
// sets `layout` (JSON, when the set of GPUs changes) and `cells` (base64, one byte per GPU in layout order, every
// refresh): 0..250 is the colour scale, 251 no data, 255 filtered out. `mode` is "health" (bytes are health codes)
// or a metric (bytes are the value scaled onto 0..250). Drawing is one pass over the bytes, so 16,384 GPUs cost a
// few milliseconds per frame; nothing here creates a DOM element per GPU.
const HEALTH = ['#d32f2f', '#f57c00', '#e64a19', '#fbc02d', '#43a047', '#90a4ae'];
const NO_DATA = 251, FILTERED = 255;

// Blue (cool) -> green -> yellow -> red (hot) for 0..250, computed once.
const SCALE = Array.from({ length: 251 }, (_, v) => `hsl(${((1 - v / 250) * 240).toFixed(0)}, 75%, 50%)`);

class VigilHeatmap extends HTMLElement {
  constructor() {
    super();
    this._layout = null;
    this._cells = new Uint8Array(0);
    this._rects = [];
  }

  connectedCallback() {
    if (!this.style.display) this.style.display = 'block';
    if (!this._canvas) {
      // Created once: Vaadin may detach and re-attach the element when the view changes.
      this._canvas = document.createElement('canvas');
      this._canvas.style.width = '100%';
      this._canvas.style.height = '0px';
      this._canvas.height = 0;
      this._tip = document.createElement('div');
      this._tip.className = 'vigil-heatmap-tip';
      this._tip.style.cssText = 'position:fixed;pointer-events:none;display:none;padding:2px 6px;border-radius:4px;'
        + 'font:12px sans-serif;background:rgba(20,20,20,.85);color:#fff;z-index:10';
      this.append(this._canvas, this._tip);
      this._canvas.addEventListener('mousemove', (e) => this._hover(e));
      this._canvas.addEventListener('mouseleave', () => { this._tip.style.display = 'none'; });
      this._canvas.addEventListener('click', (e) => {
        const i = this._at(e);
        if (i >= 0) this.dispatchEvent(new CustomEvent('gpu-click', { detail: { index: i } }));
      });
    }
    // Values the server set before this module loaded sit on the element itself, hiding the setters: apply them.
    for (const p of ['mode', 'layout', 'cells']) {
      if (Object.prototype.hasOwnProperty.call(this, p)) {
        const v = this[p];
        delete this[p];
        this[p] = v;
      }
    }
    this._resize = new ResizeObserver(() => this._relayout());
    this._resize.observe(this);
  }

  disconnectedCallback() {
    if (this._resize) this._resize.disconnect();
  }

  get cells() {
    return this._cellsText;
  }

  get layout() {
    return this._layout;
  }

  set layout(json) {
    this._layout = typeof json === 'string' ? JSON.parse(json) : json;
    this._relayout();
  }

  set cells(b64) {
    // Timed from here: decoding the frame and drawing it, the browser's whole cost of one update.
    const t0 = performance.now();
    this._cellsText = b64;
    const bin = atob(b64 || '');
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    this._cells = bytes;
    this._draw();
    const ms = performance.now() - t0;
    this.dataset.frameMs = ms.toFixed(2);
    // The last 1,000 draw times, for ./vigil bench dashboard.
    (this._drawTimes = this._drawTimes || []).push(ms);
    if (this._drawTimes.length > 1000) this._drawTimes.shift();
    this.dataset.frames = String((Number(this.dataset.frames) || 0) + 1);
    this.dataset.cells = String(bytes.length);
  }

  // Places every GPU: racks side by side in a row, hosts stacked in a rack, GPUs side by side in a host.
  _relayout() {
    if (!this._canvas || !this._layout) return;
    const width = Math.max(200, this.clientWidth);
    const rows = this._layout.rows || [];
    let maxRacks = 1, maxGpus = 1;
    for (const r of rows) {
      maxRacks = Math.max(maxRacks, r.racks.length);
      for (const k of r.racks) for (const h of k.hosts) maxGpus = Math.max(maxGpus, h.gpus);
    }
    const rackGap = 4, label = 14;
    const cell = Math.max(2, Math.min(14, Math.floor((width - 40 - maxRacks * rackGap) / (maxRacks * maxGpus)) - 1));
    const pitch = cell + 1;
    const rects = [];
    let y = 0;
    for (const r of rows) {
      y += label;
      let rowHeight = 0;
      let x = 40;
      for (const k of r.racks) {
        let hy = y;
        for (const h of k.hosts) {
          for (let g = 0; g < h.gpus; g++) rects.push([x + g * pitch, hy, h.name, g, k.name, r.name]);
          hy += pitch;
        }
        rowHeight = Math.max(rowHeight, hy - y);
        x += maxGpus * pitch + rackGap;
      }
      y += rowHeight + 6;
    }
    this._rects = rects;
    this._cell = cell;
    const dpr = window.devicePixelRatio || 1;
    this._canvas.width = Math.ceil(width * dpr);
    this._canvas.height = Math.ceil(Math.max(y, 20) * dpr);
    this._canvas.style.height = Math.max(y, 20) + 'px';
    this._dpr = dpr;
    this._draw();
  }

  _draw() {
    if (!this._canvas || !this._layout) return;
    const ctx = this._canvas.getContext('2d');
    const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
    ctx.setTransform(this._dpr, 0, 0, this._dpr, 0, 0);
    ctx.clearRect(0, 0, this._canvas.width, this._canvas.height);
    ctx.fillStyle = dark ? '#ccc' : '#333';
    ctx.font = '11px sans-serif';
    let lastRow = null;
    // Squares grouped by value, so the colour changes at most 256 times per frame rather than once per GPU.
    const buckets = new Map();
    const n = this._rects.length;
    for (let i = 0; i < n; i++) {
      const r = this._rects[i];
      if (r[5] !== lastRow) {
        ctx.fillText(r[5], 0, r[1] + 10);
        lastRow = r[5];
      }
      const v = i < this._cells.length ? this._cells[i] : NO_DATA;
      let b = buckets.get(v);
      if (!b) buckets.set(v, b = []);
      b.push(i);
    }
    const health = (this.mode || 'health') === 'health';
    const c = this._cell;
    for (const [v, idx] of buckets) {
      ctx.fillStyle = v === FILTERED ? (dark ? '#2a2a2a' : '#eee') : v === NO_DATA ? (dark ? '#444' : '#ccc')
        : health ? (HEALTH[v] || '#888') : (SCALE[v] || '#888');
      for (const i of idx) {
        const r = this._rects[i];
        ctx.fillRect(r[0], r[1], c, c);
      }
    }
  }

  _at(e) {
    const b = this._canvas.getBoundingClientRect();
    const px = e.clientX - b.left, py = e.clientY - b.top;
    const c = this._cell + 1;
    for (let i = 0; i < this._rects.length; i++) {
      const [x, y] = this._rects[i];
      if (px >= x && px < x + c && py >= y && py < y + c) return i;
    }
    return -1;
  }

  _hover(e) {
    const i = this._at(e);
    if (i < 0) { this._tip.style.display = 'none'; return; }
    const [, , host, gpu, rack] = this._rects[i];
    const names = this._layout.legend || [];
    const v = i < this._cells.length ? this._cells[i] : NO_DATA;
    let what = v === NO_DATA ? 'no data' : v === FILTERED ? 'filtered out'
      : (this.mode || 'health') === 'health' ? (names[v] || '') : `${(this._layout.min + v / 250 * (this._layout.max - this._layout.min)).toFixed(0)} ${this._layout.unit || ''}`;
    this._tip.textContent = `${rack} · ${host} · gpu${gpu} · ${what}`;
    this._tip.style.left = (e.clientX + 12) + 'px';
    this._tip.style.top = (e.clientY + 12) + 'px';
    this._tip.style.display = 'block';
  }
}

customElements.define('vigil-heatmap', VigilHeatmap);

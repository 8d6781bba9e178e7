// <vigil-chart>: an Apache ECharts chart whose whole option object is set from the server as JSON (property
// `option`). It resizes with its box and frees the chart when it leaves the page; colours follow the browser's
// light or dark scheme.
import * as echarts from 'echarts';

class VigilChart extends HTMLElement {
  connectedCallback() {
    if (!this.style.display) this.style.display = 'block';
    const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
    this._chart = echarts.init(this, dark ? 'dark' : null);
    if (this._option) this._chart.setOption(this._option, true);
    this._resize = new ResizeObserver(() => this._chart && this._chart.resize());
    this._resize.observe(this);
  }

  disconnectedCallback() {
    if (this._resize) this._resize.disconnect();
    if (this._chart) this._chart.dispose();
    this._chart = null;
  }

  set option(json) {
    this._option = typeof json === 'string' ? JSON.parse(json) : json;
    this.dataset.series = String((this._option.series || []).length);
    if (this._chart) this._chart.setOption(this._option, true);
  }

  get option() {
    return this._option;
  }
}

customElements.define('vigil-chart', VigilChart);

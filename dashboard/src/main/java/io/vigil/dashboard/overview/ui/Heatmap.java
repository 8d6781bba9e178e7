package io.vigil.dashboard.overview.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.DomEvent;
import com.vaadin.flow.component.EventData;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import com.vaadin.flow.shared.Registration;

/** The canvas-drawn site heatmap, {@code <vigil-heatmap>} (see vigil-heatmap.js). */
@Tag("vigil-heatmap")
@JsModule("./vigil-heatmap.js")
public class Heatmap extends Component implements HasSize {

    public void setLayout(String json, String mode) {
        getElement().setProperty("mode", mode);
        getElement().setProperty("layout", json);
    }

    public void setCells(String base64) {
        getElement().setProperty("cells", base64);
    }

    public Registration addGpuClickListener(com.vaadin.flow.component.ComponentEventListener<GpuClick> listener) {
        return addListener(GpuClick.class, listener);
    }

    /** A click on a GPU's square: its index in the layout. */
    @DomEvent("gpu-click")
    public static class GpuClick extends ComponentEvent<Heatmap> {
        private final int index;

        public GpuClick(Heatmap source, boolean fromClient, @EventData("event.detail.index") int index) {
            super(source, fromClient);
            this.index = index;
        }

        public int index() {
            return index;
        }
    }
}

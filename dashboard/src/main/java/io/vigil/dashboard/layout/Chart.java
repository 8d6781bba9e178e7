package io.vigil.dashboard.layout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import com.vaadin.flow.component.dependency.NpmPackage;

/** An Apache ECharts chart (Apache-2.0, from npm) wrapped as the web component {@code <vigil-chart>}. */
@Tag("vigil-chart")
@NpmPackage(value = "echarts", version = "5.6.0")
@JsModule("./vigil-chart.js")
public class Chart extends Component implements HasSize {

    /** Replaces the chart's whole ECharts option. */
    public void setOption(ObjectNode option) {
        getElement().setProperty("option", option.toString());
    }
}

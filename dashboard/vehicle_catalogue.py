"""Page: find a vehicle in the national catalogue (marts.vehicle) and see how it was resolved: each field
with the layer and file it came from, where its dealers' DMS disagree, its images, and every version
each of its layers went through."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.connection import DashboardSettings, NotBuilt

TITLE = "Vehicle catalogue"
ANY = ""  # the "no filter" choice of the select boxes


def render() -> None:
    st.title(TITLE)
    st.caption(
        "marts.vehicle: one row per VIN (a layer without a valid VIN is a vehicle of its own), each field "
        "the value of the layer that wrote it last unless the source_priority seed ranks a source higher."
    )
    settings = DashboardSettings.from_env()
    search = _search_form(settings)
    try:
        found = queries.search_vehicles(settings, search)
    except NotBuilt as exc:  # the dealer filter reads marts.vehicle_layer.vehicle_id
        st.info(f"This search is not built yet ({exc}): searching by dealer needs marts.vehicle_layer.vehicle_id.")
        return
    more = f" (the first {queries.SEARCH_LIMIT})" if len(found) >= queries.SEARCH_LIMIT else ""
    st.caption(f"{len(found)} vehicles{more}")
    st.dataframe(found, hide_index=True, height=min(38 + 35 * len(found), 330))
    if found.empty:
        return
    labels = {
        row.vehicle_id: " · ".join(str(part) for part in (row.vin or row.vehicle_id, row.make, row.model) if part)
        for row in found.itertuples()
    }
    vehicle_id = st.selectbox("Vehicle", list(labels), format_func=labels.__getitem__, key="vehicle")
    _vehicle_details(settings, vehicle_id)


def _search_form(settings: DashboardSettings) -> queries.VehicleSearch:
    vin_column, make_column, model_column, dealer_column = st.columns(4)
    vin = vin_column.text_input(
        "VIN contains",
        key="vin",
        bind="query-params",  # ?vin=WVWZZZCD3LW204518 opens the page on that vehicle
        help="Or the vehicle id of a vehicle without a valid VIN (layer:...).",
    )
    make = make_column.selectbox("Make", [ANY, *queries.makes(settings)], format_func=_any, key="make")
    model = model_column.text_input("Model contains", key="model")
    corporate_id = dealer_column.selectbox(
        "Dealer (corporate)",
        [ANY, *queries.corporates(settings)],
        format_func=_any,
        key="corporate",
        help="Vehicles any of whose layers (available or not) is in this corporate's stock.",
    )
    return queries.VehicleSearch(vin=vin, make=make, model=model, corporate_id=corporate_id)


def _any(option: str) -> str:
    return option or "any"


def _vehicle_details(settings: DashboardSettings, vehicle_id: str) -> None:
    vehicle = queries.vehicle(settings, vehicle_id)
    if vehicle.empty:
        st.info(f"{vehicle_id} is no longer in the catalogue.")
        return
    row = vehicle.iloc[0]
    st.subheader(" ".join(str(part) for part in (row["make"], row["model"], row["version"]) if _present(part)))
    st.caption(
        f"VIN {row['vin']}" if _present(row["vin"]) else f"No valid VIN: the vehicle is its layer ({vehicle_id})"
    )
    figures = st.columns(4)
    figures[0].metric("Available", "yes" if row["is_available"] else "no")
    figures[1].metric("Layers", int(row["layer_count"]))
    figures[2].metric("First seen", f"{row['first_seen_at']:%Y-%m-%d}", help=f"{row['first_seen_at']}")
    figures[3].metric("Last changed", f"{row['updated_at']:%Y-%m-%d}", help=f"{row['updated_at']}")

    lineage = queries.field_lineage(settings, vehicle_id)
    conflicts = queries.conflicts(settings, vehicle_id)
    images = queries.images(settings, vehicle_id)
    fields_tab, conflicts_tab, images_tab, layers_tab = st.tabs(
        ["Fields and lineage", f"Conflicts ({len(conflicts)})", f"Images ({len(images)})", "Layers and history"]
    )
    with fields_tab:
        st.caption(
            "Each field's value and where it came from: the winning layer (corporate, DMS, stock id), the load "
            "and file that carried it, and that feed's time (marts.vehicle_field_lineage)."
        )
        st.dataframe(lineage, hide_index=True)
    with conflicts_tab:
        if conflicts.empty:
            st.write("The vehicle's available layers agree on every field.")
        else:
            st.caption("Fields on which the available layers disagree; is_winner marks the value the vehicle shows.")
            st.dataframe(conflicts, hide_index=True)
    with images_tab:
        _images(images)
    with layers_tab:
        _layers(settings, vehicle_id)


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def _images(images: pd.DataFrame) -> None:
    if images.empty:
        st.write("The winning layer delivered no image.")
        return
    st.caption("The winning layer's images in the DMS's order, largest size of each (marts.vehicle_image).")
    st.dataframe(
        images.assign(preview=images["url"]),
        hide_index=True,
        column_order=["position", "preview", "url", "source", "corporate_id", "external_source_id"],
        column_config={
            "preview": st.column_config.ImageColumn("preview", width="small"),
            "url": st.column_config.LinkColumn("url"),
        },
        row_height=64,
    )


def _layers(settings: DashboardSettings, vehicle_id: str) -> None:
    try:
        layers = queries.layers(settings, vehicle_id)
        history = queries.layer_history(settings, vehicle_id)
    except NotBuilt as exc:
        st.info(f"A vehicle's layers are not built yet ({exc}): they need marts.vehicle_layer.vehicle_id.")
        return
    st.caption("The vehicle's layers: one per corporate, DMS and stock id (marts.vehicle_layer).")
    st.dataframe(layers, hide_index=True)
    st.caption(
        "Every distinct version each layer delivered, oldest first (marts.vehicle_layer_history): valid_from is "
        "the feed that first delivered it, valid_to the first that no longer did."
    )
    st.dataframe(history, hide_index=True)

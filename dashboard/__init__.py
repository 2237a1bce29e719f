"""The warehouse's dashboard (Streamlit): market data, feed health and the vehicle catalogue, read from the
marts as the BI role. `make dashboard` serves it; see the README's Dashboard section."""

"""Page scripts run by `st.navigation`; a package so they ship with the wheel."""

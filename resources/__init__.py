"""The app's own files (icons, screenshots), installed as the package ``vault_app.resources``.

Find them with :func:`vault_app.resources_path.resources_dir`, which works from a wheel, a
source checkout and a PyInstaller bundle alike.
"""

# Read by gunicorn from the working directory: the access log without personal data
# or the secret part of booking links (config/logs.py).
logger_class = "config.logs.GunicornLogger"


def post_worker_init(worker):
    """Once a worker has loaded the app: the collector settings of config/gc_tuning.py."""
    from config.gc_tuning import settle_after_startup

    settle_after_startup()

# Read by gunicorn from the working directory: the access log without personal data
# or the secret part of booking links (config/logs.py).
logger_class = "config.logs.GunicornLogger"

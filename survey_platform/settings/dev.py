"""The embedded profile used by `make run`: SQLite, database-backed tasks, debug pages."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# A development key is acceptable only here; production refuses to start without its own.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-7c1f9e")
# The key under which answer codes are hashed (fieldwork/codes.py): its own, not SECRET_KEY.
ANSWER_CODE_KEY = env_str("ANSWER_CODE_KEY", "dev-only-answer-code-key-2b9d41e7a0c3")

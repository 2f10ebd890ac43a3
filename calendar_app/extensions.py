"""Flask extensions, created unbound and bound to an app in create_app()."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from calendar_app.catalogs import CatalogBabel
from calendar_app.core.mailbox import client_network
from calendar_app.data.models import Base


def client_key() -> str:
    """The client a limit counts: its IPv4 address, or its IPv6 /64."""
    return client_network(get_remote_address())


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = CatalogBabel()
csrf = CSRFProtect()
compress = Compress()  # bound only where no proxy compresses ([server] compress)
# Per client (IPv4 address or IPv6 /64); limits are declared on the blueprints in web/limits.py.
limiter = Limiter(client_key, headers_enabled=True)

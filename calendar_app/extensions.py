"""Flask extensions, created unbound and bound to an app in create_app()."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from calendar_app.catalogs import CatalogBabel
from calendar_app.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = CatalogBabel()
csrf = CSRFProtect()

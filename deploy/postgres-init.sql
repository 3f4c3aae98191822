-- The tracker store's database, beside the app database (POSTGRES_DB of the postgres image).
CREATE DATABASE sesame_tracker OWNER sesame;

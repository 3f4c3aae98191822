"""Pieces Rasa needs to run as several replicas: an atomic Redis lock store and a durable
RabbitMQ event broker. Both are named by module path in ``endpoints.production.yml``."""

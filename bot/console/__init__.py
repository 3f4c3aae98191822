"""The conseiller console: a server-rendered aiohttp sub-application mounted under /console/."""

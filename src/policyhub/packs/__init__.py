"""Policy packs: manifest and loader, the registry, the live set, integrity locks, the plugin manager."""

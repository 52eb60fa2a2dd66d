"""People's names for generated data (the demo installation and ``generate_data``). Stored data, shown as
entered, so not translated; shared by every app that generates people."""

from __future__ import annotations

SURNAMES = [
    "Ахметов",
    "Сериков",
    "Касымов",
    "Нурланов",
    "Жумабаев",
    "Ибраев",
    "Омаров",
    "Байжанов",
    "Токтаров",
    "Смагулов",
    "Абдрахманов",
    "Есенов",
    "Калиев",
    "Мусин",
    "Рахимов",
    "Садыков",
    "Тулегенов",
    "Утегенов",
    "Шаяхметов",
    "Ким",
]
FIRST_NAMES = ["Арман", "Ерлан", "Нурлан", "Данияр", "Асель", "Айгерим", "Бауыржан", "Марат", "Гульнара", "Сергей"]
SYNTHETIC_SURNAMES = [*SURNAMES, "Иванов", "Беков", "Сулейменов", "Искаков"]
SYNTHETIC_FIRST_NAMES = [*FIRST_NAMES, "Алибек", "Жанар", "Тимур", "Дина"]
SYNTHETIC_PATRONYMICS = ["Серикович", "Нурланович", "Маратович", "Ерланович", "Болатович", "Каиратович", ""]

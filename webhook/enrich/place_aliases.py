"""Country and US state names people type, and the names we display."""

# Display names that differ from pycountry's (ISO legal or awkward) ones. TR
# stays "Türkiye": ISO 3166, the UN and Unicode CLDR's English all use it.
DISPLAY_NAMES = {
    "RU": "Russia",
    "PS": "Palestine",
    "VA": "Vatican City",
    "CD": "DR Congo",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
    "FK": "Falkland Islands",
    "MF": "Saint Martin",
    "SX": "Sint Maarten",
    "MO": "Macau",
    "BN": "Brunei",
    "CV": "Cape Verde",
    "SH": "Saint Helena",
    "XK": "Kosovo",
}

# What people type that pycountry's names and codes miss.
COUNTRY_ALIASES = {
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland", "United Kingdom of Great Britain and Northern Ireland"],
    "US": ["USA", "U.S.A.", "US", "U.S.", "America", "United States of America",
           "United States"],
    "RU": ["Russia", "Russian Federation"],
    "KR": ["South Korea", "Korea", "Republic of Korea", "Korea, South"],
    "KP": ["North Korea", "DPRK", "Korea, North"],
    "TR": ["Turkey", "Türkiye", "Republic of Turkey"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "NL": ["Holland", "The Netherlands", "Nederland"],
    "AE": ["UAE", "U.A.E.", "Emirates"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "CZ": ["Czech Republic"],
    "MK": ["Macedonia", "Republic of Macedonia", "FYROM"],
    "SZ": ["Swaziland"],
    "MM": ["Burma"],
    "LA": ["Laos"],
    "SY": ["Syria"],
    "MD": ["Moldova"],
    "TZ": ["Tanzania"],
    "PS": ["Palestine", "Palestinian Territories", "Palestinian Territory"],
    "XK": ["Kosovo", "XKX"],
    "CD": ["DR Congo", "DRC", "Democratic Republic of the Congo", "Congo-Kinshasa"],
    "CG": ["Republic of the Congo", "Congo-Brazzaville"],
    "CV": ["Cape Verde"],
    "TL": ["East Timor"],
    "FK": ["Falklands"],
    "VI": ["US Virgin Islands"],
    "MO": ["Macau"],
    "BN": ["Brunei"],
    "BA": ["Bosnia"],
    "DE": ["Deutschland"],
    "ES": ["España"],
    "BR": ["Brasil"],
    "IT": ["Italia"],
    "AT": ["Österreich"],
    "CH": ["Schweiz", "Suisse", "Svizzera"],
    "SE": ["Sverige"],
    "NO": ["Norge"],
    "DK": ["Danmark"],
    "PL": ["Polska"],
    "BE": ["Belgique", "België"],
}

US_STATE_DISPLAY = {"VI": "U.S. Virgin Islands"}

US_STATE_ALIASES = {
    "DC": ["Washington DC", "Washington, D.C.", "D.C.", "Washington D.C."],
    "VI": ["US Virgin Islands", "U.S. Virgin Islands", "Virgin Islands"],
}

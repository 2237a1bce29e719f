{% macro catalogue_fields() %}{% set catalogue %}
# The vehicle catalogue's fields: the one list every vehicle model, the snapshot, the docs and the
# extractor's track validation take their columns from (docs/track_files.md). Adding a field here is
# enough for it to flow from a track's mapping to vehicle_layer_history, vehicle_layer, lineage,
# conflicts, vehicle and the snapshot; `python -m extract catalogue docs` rewrites its doc block.
#
#   name:        the column
#   kind:        text | long_text | vin | money | integer | date | code | precision
#                (the SQL type and the parse hints a track may give follow from it, see kinds below)
#   vocabulary:  code fields: the values the catalogue accepts; a track maps its own values onto them
#   of:          precision fields: the date field whose precision they give (set from the track's hint)
#   description: what dbt docs shows
fields:
  - name: vin
    kind: vin
    description: >-
      Vehicle identification number: upper case, no spaces; null unless a plausible 17-character VIN
      without I, O or Q.
  - name: dealer_code
    kind: text
    description: The dealer (point of sale) code the DMS gives the vehicle.
  - name: make
    kind: text
    description: >-
      Make (brand) as the DMS spells it, trimmed (no case change: `Geely` stays `Geely`).
  - name: model
    kind: text
    description: Model name as the DMS writes it.
  - name: version
    kind: text
    description: Version (trim) name as the DMS writes it.
  - name: body_type
    kind: code
    vocabulary: [SEDAN, HATCHBACK, STATION_WAGON, SUV, COUPE, CONVERTIBLE, MPV, VAN, PICKUP, OTHER]
    description: >-
      Body type in the catalogue vocabulary: SEDAN, HATCHBACK, STATION_WAGON, SUV, COUPE, CONVERTIBLE,
      MPV, VAN, PICKUP, OTHER; null when the feed's value is not in its track's vocabulary.
  - name: fuel
    kind: code
    vocabulary: [PETROL, DIESEL, LPG, CNG, ELECTRIC, HYBRID, OTHER]
    description: >-
      Fuel in the catalogue vocabulary: PETROL, DIESEL, LPG, CNG, ELECTRIC, HYBRID, OTHER; null when the
      feed's value is not in its track's vocabulary (the extractor counts such values per file).
  - name: gearbox
    kind: code
    vocabulary: [MANUAL, AUTOMATIC, SEMI_AUTOMATIC]
    description: >-
      Gearbox in the catalogue vocabulary: MANUAL, AUTOMATIC, SEMI_AUTOMATIC; null when the feed's value
      is not in its track's vocabulary.
  - name: power_kw
    kind: integer
    description: Engine power in kW (a track may derive it from horsepower).
  - name: engine_cc
    kind: integer
    description: Engine displacement in cm³.
  - name: doors
    kind: integer
    description: Number of doors.
  - name: seats
    kind: integer
    description: Number of seats.
  - name: emission_class
    kind: text
    description: Emission class as the DMS writes it (e.g. Euro 6d).
  - name: color
    kind: text
    description: Exterior colour as the DMS writes it (e.g. Rosso Competizione).
  - name: color_family
    kind: code
    vocabulary: [BLACK, WHITE, GREY, SILVER, BLUE, RED, GREEN, YELLOW, ORANGE, BROWN, BEIGE, GOLD, PURPLE, OTHER]
    description: >-
      Exterior colour family in the catalogue vocabulary (BLACK, WHITE, GREY, SILVER, BLUE, RED, GREEN,
      YELLOW, ORANGE, BROWN, BEIGE, GOLD, PURPLE, OTHER), for filtering.
  - name: mileage
    kind: integer
    description: Odometer reading in km (integer).
  - name: registration_date
    kind: date
    description: >-
      First registration date; a month-precision date becomes the 1st of the month, a year-only one
      January 1st (registration_date_precision says which).
  - name: registration_date_precision
    kind: precision
    of: registration_date
    description: >-
      What registration_date really knows: DAY, MONTH (the feed gave month and year) or YEAR (the feed
      gave the year only); null when there is no date.
  - name: list_price
    kind: money
    description: List price, numeric(12,2), in `currency` (euros when the feed states none).
  - name: promotional_price
    kind: money
    description: >-
      Promotional (discounted) price, numeric(12,2); null when there is no promotion. A track may derive
      it (e.g. list price minus a maximum discount).
  - name: currency
    kind: text
    description: The currency the feed states for its prices (ISO 4217, e.g. EUR); null when it states none.
  - name: make_code
    kind: text
    description: The DMS's or catalogue's code of the make (e.g. a Motornet code).
  - name: model_code
    kind: text
    description: The code of the model, when the DMS sends one.
  - name: version_code
    kind: text
    description: The code of the version, when the DMS sends one.
  - name: description
    kind: long_text
    description: The vehicle's description as the DMS writes it (full text, Unicode intact, up to 65,535 bytes).

# The lists a vehicle version carries, and the fields a track's list entry may fill (docs/track_files.md).
lists:
  images: [url]
  optionals: [code, description, is_standard, category]

# What each kind is: its SQL type, the parse hints a track may give it (the first is the default).
kinds:
  text: {type: varchar(1024), hints: [text]}
  long_text: {type: varchar(65535), hints: [text]}
  vin: {type: varchar(17), hints: [vin]}
  money: {type: "numeric(12, 2)", hints: [number, italian_number]}
  integer: {type: integer, hints: [number, italian_number]}
  date: {type: date, hints: [YYYY-MM-DD, YYYY-MM, MM/YYYY, YYYY, DD-MM-YYYY HH:MM, ISO 8601]}
  code: {type: varchar(32), hints: [vocabulary]}
  precision: {type: varchar(8), hints: []}

# The shape a value must have for its hint (regular expressions both the extractor's per-file counts
# and dbt's parsing use; a number is matched after its thousands separators are dropped and its
# decimal separator made a dot). A value of another shape becomes null and is counted per file.
hint_patterns:
  number: '^-?[0-9]+([.][0-9]+)?$'
  YYYY-MM-DD: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])'
  YYYY-MM: '^[0-9]{4}-(0?[1-9]|1[0-2])$'
  MM/YYYY: '^(0?[1-9]|1[0-2])/[0-9]{4}$'
  YYYY: '^(1[89]|2[0-9])[0-9]{2}$'
  DD-MM-YYYY HH:MM: '^(0[1-9]|[12][0-9]|3[01])-(0[1-9]|1[0-2])-[0-9]{4}'
  ISO 8601: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ][0-2][0-9]:[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?(Z|[+-][0-2][0-9](:?[0-5][0-9])?)?)?$'
  vin: '^[A-HJ-NPR-Z0-9]{17}$'

# The precision a date hint gives.
date_precisions: {YYYY-MM-DD: DAY, DD-MM-YYYY HH:MM: DAY, ISO 8601: DAY, YYYY-MM: MONTH, MM/YYYY: MONTH, YYYY: YEAR}
{% endset %}{{ return(fromyaml(catalogue)) }}{% endmacro %}

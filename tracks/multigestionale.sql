{% macro track__multigestionale() %}{% set track %}
# MULTIGESTIONALE: Multigestionale API export. <root><element> per vehicle, and the images list reuses the
# tag (<images><element>URL</element></images>), hence record_parent. Values are often CDATA; numbers are
# Italian (38.500 ; 5,3). No VIN in this format.
dms: MULTIGESTIONALE
root: element
record_parent: root
mappings:
  ad_number: external_source_id
  make: make
  model: model
  version: version
  first_registration_date: registration_date
  mileage: mileage
  price: list_price
  fuel_type: fuel
  gearbox: gearbox
  color: [color, color_family]
  vehicle_category: body_type        # "SUV/Fuoristrada": the part before the slash (patterns)
  power_kw: power_kw
  doors_count: doors
  num_seats: seats
  emissions_class: emission_class
  description: description          # CDATA, may hold HTML: kept as written
patterns:
  color_family: '^(\S+)'
  body_type: '^([^/]+)'
parse:
  list_price: italian_number
  mileage: italian_number
  registration_date: "MM/YYYY"
vocabularies:
  fuel: {Benzina: PETROL, Diesel: DIESEL, GPL: LPG, Metano: CNG, Elettrica: ELECTRIC, Elettrico: ELECTRIC,
         Ibrida: HYBRID, Ibrido: HYBRID}
  body_type: {Berlina: SEDAN, Utilitaria: HATCHBACK, City car: HATCHBACK, Station Wagon: STATION_WAGON, SUV: SUV, Coupé: COUPE,
              Cabrio: CONVERTIBLE, Monovolume: MPV, Furgone: VAN, Pick-up: PICKUP}
  color_family: {Nero: BLACK, Bianco: WHITE, Grigio: GREY, Argento: SILVER, Blu: BLUE, Azzurro: BLUE, Rosso: RED,
                 Verde: GREEN, Giallo: YELLOW, Arancione: ORANGE, Marrone: BROWN, Beige: BEIGE, Oro: GOLD, Viola: PURPLE}
  gearbox: {Manuale: MANUAL, Automatico: AUTOMATIC, Semiautomatico: SEMI_AUTOMATIC, Sequenziale: SEMI_AUTOMATIC}
lists:
  images:
    - path: images/element
      fields: {url: "."}
  optionals:
    - path: accessories/accessory
      fields: {description: ".", is_standard: false}
{% endset %}{{ return(fromyaml(track)) }}{% endmacro %}

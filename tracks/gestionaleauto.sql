{% macro track__gestionaleauto() %}{% set track %}
# GESTIONALEAUTO: GestionaleAuto export (Italian DMS). <export_gestionaleauto><car id="..."> per vehicle;
# make/model/version/fuel under <model>, the rest at car level; registration_date is MM/YYYY.
dms: GESTIONALEAUTO
root: car
mappings:
  "@id": external_source_id
  vin: vin                          # often present, sometimes an empty <vin/>: empty -> null
  model/make: make
  model/model: model
  model/version: version
  registration_date: registration_date
  km: mileage
  customers_price: list_price
  model/fuel: fuel
  gearbox: gearbox
  exterior/color: [color, color_family]   # "Rosso Competizione": the first word is the family (patterns)
  model/body: body_type
  model/kwatt: power_kw
  model/cc: engine_cc
  model/doors: doors                # importers disagree whether doors and seats sit under <model> or the car:
  doors: doors                      #   the first non-empty wins
  model/seats: seats
  seats: seats
  model/emission_class: emission_class
  model/motornet_code: make_code    # several XML fields to one column: exports put the Motornet code
  motornet_code: make_code          #   under <model> or at car level; the first non-empty wins
patterns:
  color_family: '^(\S+)'
parse:
  list_price: number
  mileage: number
  registration_date: "MM/YYYY"
vocabularies:
  fuel: {Benzina: PETROL, Diesel: DIESEL, GPL: LPG, Metano: CNG, Elettrico: ELECTRIC, Elettrica: ELECTRIC,
         Ibrido: HYBRID, Ibrida: HYBRID}
  body_type: {Berlina: SEDAN, Utilitaria: HATCHBACK, City car: HATCHBACK, Station Wagon: STATION_WAGON, SUV: SUV, Fuoristrada: SUV,
              Coupé: COUPE, Cabrio: CONVERTIBLE, Monovolume: MPV, Furgone: VAN, Pick-up: PICKUP}
  color_family: {Nero: BLACK, Bianco: WHITE, Grigio: GREY, Argento: SILVER, Blu: BLUE, Azzurro: BLUE, Rosso: RED,
                 Verde: GREEN, Giallo: YELLOW, Arancione: ORANGE, Marrone: BROWN, Beige: BEIGE, Oro: GOLD, Viola: PURPLE}
  gearbox: {Manuale: MANUAL, Automatico: AUTOMATIC, Sequenziale: SEMI_AUTOMATIC, Semiautomatico: SEMI_AUTOMATIC}
lists:
  images:
    - path: images/image
      fields:
        url: [hd, big, large, medium, small]   # any size may be empty: the largest present wins
  optionals:
    - path: options/standard_option
      fields: {code: "@code", description: ".", is_standard: true}
    - path: options/extra
      fields: {code: "@code", description: ".", is_standard: false}
{% endset %}{{ return(fromyaml(track)) }}{% endmacro %}

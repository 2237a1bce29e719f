{% macro track__mobilede() %}{% set track %}
# MOBILEDE: mobile.de ad XML (search API). <search:search-result><search:ads><ad:ad key="..."> per vehicle;
# namespace prefixes are dropped in the raw JSON, so paths use local names. Values live in attributes;
# enumerations are @key plus a localised <resource:local-description> child.
dms: MOBILEDE
root: ad
mappings:
  seller-inventory-key/@value: external_source_id   # the dealer's stock id ...
  "@key": external_source_id                        # ... else the mobile.de ad key
  seller/@key: dealer_code
  vehicle/specifics/identification-number/@value: vin   # usually absent
  vehicle/make/local-description: make              # "Volkswagen" ...
  vehicle/make/@key: [make, make_code]              # ... else the key; the key is also the make code
  vehicle/model/local-description: model
  vehicle/model/@key: [model, model_code]
  vehicle/model-description/@value: version
  vehicle/specifics/first-registration/@value: registration_date
  vehicle/specifics/mileage/@value: mileage
  vehicle/specifics/fuel/@key: fuel
  vehicle/specifics/gearbox/@key: gearbox
  vehicle/specifics/exterior-color/manufacturer-color-name/@value: color   # "Grigio Urano metallizzato" ...
  vehicle/specifics/exterior-color/@key: [color, color_family]              # ... else GREY; the key is the family
  price/consumer-price-amount/@value: list_price
  price/@currency: currency
  vehicle/category/@key: body_type
  vehicle/specifics/power/@value: power_kw                                  # kW
parse:
  list_price: number
  mileage: number
  registration_date: "YYYY-MM"
vocabularies:
  fuel: {PETROL: PETROL, DIESEL: DIESEL, LPG: LPG, CNG: CNG, ELECTRICITY: ELECTRIC, HYBRID: HYBRID,
         HYBRID_DIESEL: HYBRID, HYDROGENIUM: OTHER, ETHANOL: OTHER, OTHER: OTHER}
  body_type: {Limousine: SEDAN, SmallCar: HATCHBACK, EstateCar: STATION_WAGON, OffRoad: SUV, SportsCar: COUPE,
              Cabrio: CONVERTIBLE, Van: MPV, OtherCar: OTHER}
  color_family: {BEIGE: BEIGE, BLACK: BLACK, BLUE: BLUE, BROWN: BROWN, GOLD: GOLD, GREEN: GREEN, GREY: GREY,
                 ORANGE: ORANGE, PURPLE: PURPLE, RED: RED, SILVER: SILVER, WHITE: WHITE, YELLOW: YELLOW}
  gearbox: {MANUAL_GEAR: MANUAL, AUTOMATIC_GEAR: AUTOMATIC, SEMIAUTOMATIC_GEAR: SEMI_AUTOMATIC}
lists:
  images:
    - path: images/image
      variants:
        path: representation
        rank_by: "@size"
        order: [XXXL, XXL, XL, L, M, S]
        fields: {url: "@url"}
  optionals:
    - path: vehicle/features/feature
      fields: {code: "@key", description: "local-description", is_standard: false}
{% endset %}{{ return(fromyaml(track)) }}{% endmacro %}

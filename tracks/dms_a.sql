{% macro track__dms_a() %}{% set track %}
# DMS_A: the seed's own format. The seed's track file ({"root": "Ad", "mappings": {...}}) is valid here.
dms: DMS_A
root: Ad
mappings:
  Id: external_source_id
  DealerCode: dealer_code
  Public/Vin: vin
  Public/Brand: make
  Public/Model: model
  Public/Version: version
  Public/RegistrationDate: registration_date
  Public/Mileage: mileage
  Public/Fuel: fuel
  Public/Gearbox: gearbox
  Public/Color: color
  Business/ListPrice: list_price
  Business/PromotionalPrice: promotional_price
  Codes/MakeCode: make_code
  Codes/ModelCode: model_code
  Codes/VersionCode: version_code
parse:
  list_price: number
  promotional_price: number
  mileage: number
  registration_date: "YYYY-MM-DD"
vocabularies:
  fuel: {Petrol: PETROL, Gasoline: PETROL, Diesel: DIESEL, LPG: LPG, CNG: CNG, Electric: ELECTRIC, Hybrid: HYBRID}
  gearbox: {Manual: MANUAL, Automatic: AUTOMATIC, Semi-automatic: SEMI_AUTOMATIC}
lists:
  images:
    - path: Images/Image
      fields: {url: "."}
  optionals:
    - path: Options/Option
      fields: {code: "@code", description: ".", is_standard: false}
{% endset %}{{ return(fromyaml(track)) }}{% endmacro %}

{{ dms_vehicle_staging('mobilede') }}

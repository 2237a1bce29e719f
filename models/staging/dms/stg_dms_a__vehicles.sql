{{ dms_vehicle_staging('dms_a') }}

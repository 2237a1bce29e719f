{{ dms_vehicle_staging('multigestionale') }}

{{ dms_vehicle_staging('gestionaleauto') }}

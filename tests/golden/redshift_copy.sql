copy raw.vehicle_records (record_index, load_id, record)
from 's3://bucket/staging/vehicle_records/load_id=7/manifest.json'
iam_role 'arn:aws:iam::123456789012:role/warehouse-copy'
format as json 'auto'
gzip
manifest
timeformat 'auto'
maxerror 0
compupdate off
statupdate off;

SELECT 'it\'s -- not a comment', /* FORMAT CSV */ `SETTINGS` -- FORMAT JSON
 FROM system.one
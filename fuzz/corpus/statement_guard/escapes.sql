SELECT E'it\'s', "query" ( 'x' ) -- checkpoint()

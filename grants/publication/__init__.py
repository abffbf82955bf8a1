"""各種助成・補助金制度の情報提供: the public catalogue of the city's programmes, their open calls, and other funders'
programmes (民間助成, 県の補助金) that staff add as the plan's information service."""

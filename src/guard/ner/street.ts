/**
 * Whether a place is given down to the street: a road or street that ends a word (汉口界限路, 中关村大街２７号,
 * 红旗街口 — not 耶路撒冷, 塞浦路斯 or 俾路支省, whose 路 is a syllable), a house, room or building number in
 * digits, a village, or a residential building. Railways, highways and figures of speech (京沪高速铁路, 川藏公路,
 * 道路, 丝绸之路) are not addresses; a number needs digits (东方红一号 and “和平号” are craft, not houses) and is not a metro line or a shop (10号线,
 * 1号店).
 * The guard reports a tagged place only at this level (a bare city or province is not a person's address),
 * and bench/ner-data.ts labels the corpora's street-level addresses with the same test.
 */
export const STREET_LEVEL = new RegExp([
  '(?<![铁公线航水道之丝])(?:路|街|巷|弄|大道|胡同)(?=$|[0-9０-９一二三四五六七八九十]|号|[东西南北中]?段|[东西南北]?口)',
  '[0-9０-９]+(?:[号號](?![线店])|室|栋|棟|幢|单元|單元|楼|樓|层|層)',
  '村(?=$|[东西南北]|[0-9０-９一二三四五六七八九十]+组)',
  '小区|公寓|花园|社区|大厦|里弄',
].join('|'));

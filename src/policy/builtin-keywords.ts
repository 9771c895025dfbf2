/**
 * A small built-in content-safety list (TC260-003 risk categories: violence and terrorism, weapons,
 * drugs, gambling, fraud, pornography, self-harm). Deployments load their own full library
 * (tens of thousands of terms) through `policy.output.keywords` or `keyword_files`; these are only a floor.
 */
export const BUILTIN_KEYWORDS: readonly string[] = Object.freeze([
  // 暴力恐怖 / violence and terrorism
  '制造炸弹', '自制炸药', '炸药配方', '土制炸弹', '恐怖袭击计划', '如何实施爆炸', '爆炸装置制作',
  // 武器 / weapons
  '私造枪支', '自制枪支', '枪支买卖', '购买枪支弹药', '3D打印枪支',
  // 毒品 / drugs
  '制毒方法', '冰毒制作', '合成冰毒', '贩卖毒品', '购买毒品', '海洛因提纯',
  // 赌博 / gambling
  '网络赌博平台', '赌博网站推荐', '网上赌场', '百家乐代理',
  // 诈骗 / fraud
  '电信诈骗话术', '洗钱方法', '跑分平台', '伪造公章', '办理假证',
  // 色情 / pornography
  '色情网站', '招嫖', '卖淫信息',
  // 自残 / self-harm
  '自杀方法', '如何自杀',
  // English
  'how to make a bomb', 'build a pipe bomb', 'synthesize methamphetamine',
]);

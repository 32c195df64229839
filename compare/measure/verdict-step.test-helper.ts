/** The few fields of a step that the verdict rules read, for measure's and analyse's tests (not a test itself). */
export const verdictStep = (rate: number, pass: boolean, cpu: number | null, generatorLimited = false, generatorCpuShare = 0.8, sentRate = rate) => ({
  rate,
  pass,
  generatorLimited,
  serviceCpuCores: cpu,
  generatorCpuShare,
  sentRate,
});

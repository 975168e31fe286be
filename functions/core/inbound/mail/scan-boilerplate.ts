// What an office copier writes into a scan-to-email body: a sentence naming the device and lines
// of job details. None of it is the sender's, so a scan gets no cover page of device text; words
// the sender typed above it on the panel are kept. fixtures/emails/README.md says where each
// maker's wording comes from.

const MAKERS =
  'xerox|ricoh|hp|canon|konica minolta|bizhub|sharp|brother|kyocera|taskalfa|ecosys|lexmark|epson|toshiba|e-studio';

/**
 * A line in which a device names itself. Each is anchored at the start of the line and ends
 * within a few words of the model, so that a person's sentence that mentions a copier is not one.
 */
const DEVICE_SENTENCES: RegExp[] = [
  // Xerox WorkCentre, AltaLink, VersaLink
  /^please open the attached document\.\s*it was scanned and sent to you using a xerox\b/i,
  /^scanned from a xerox (multifunction|workcentre|altalink|versalink|phaser|docucentre)\b/i,
  // Ricoh: This E-mail was sent from "RNP0026737A8B2C" (MP C3004).
  /^this e-?mail was sent from\s+["“][^"”]{1,64}["”]\s*\([^()]{1,40}\)\.?$/i,
  // HP LaserJet, OfficeJet, PageWide and the Digital Sender
  /^this document was sent from (an? )?hp\b.{0,60}$/i,
  // Canon imageRUNNER's default subject, which some firmware repeats as the body
  /^attached image$/i,
  // Sharp MX: the Acrobat sentence and the one before it
  /^attached file is (a )?scanned image in \w+ format\.?$/i,
  /^use acrobat\s?\(r\)\s?reader\s?\(r\) or adobe\s?\(r\)\s?reader\s?\(r\) of adobe systems incorporated to view the document\b/i,
  // Brother MFC, DCP and ADS
  /^sent from brother device\b/i,
  // Every maker: "Scanned from Brother MFC-L2750DW", "This e-mail was sent from KYOCERA TASKalfa 3252ci."
  new RegExp(
    `^(this (e-?mail|message|document) was )?(scanned|sent) (to e-?mail )?(from|by|with|using) (an? |the )?(${MAKERS})\\b[^.]{0,48}\\b(device|printer|mfp|multifunction\\w*|copier|scanner|[a-z-]*\\d{2,}[a-z0-9-]*)\\b[^.]{0,16}\\.?$`,
    'i',
  ),
];

/** The job details that follow or precede a device's sentence. */
const DEVICE_FIELDS =
  /^(reply to|device name|device model|device location|location|file format|file type|resolution|number of (images|pages)|attachment file type|scan date|sent by|queries to|from device|model name|serial number|ip address|for more information on xerox products)\b.{0,200}$/i;

/** The body with a copier's text removed: unchanged when no device names itself in it. */
export function withoutScanBoilerplate(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const start = lines.findIndex((line) => isDeviceSentence(line.trim()));
  if (start === -1) return text;
  return lines
    .slice(0, start)
    .filter((line) => !DEVICE_FIELDS.test(line.trim()))
    .join('\n');
}

const isDeviceSentence = (line: string) =>
  line.length <= 300 && DEVICE_SENTENCES.some((pattern) => pattern.test(line));

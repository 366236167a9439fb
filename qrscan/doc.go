// Package qrscan reads QR codes from what users upload: screenshots and
// phone photos (PNG, JPEG, GIF, WebP). It decides from an image's header
// whether it can afford to decode it (DecodeBudget), turns it into a grey
// raster, and searches it with a plan of views (scales, thresholds,
// full-resolution crops) and detectors, cheapest first. It also draws QR
// codes (QRPNG). It knows nothing of 2FA: package twofa reads the texts.
//
// Every error caused by the input is an *InputError with a message meant
// for the user; IsInputError tells them apart from internal faults.
package qrscan

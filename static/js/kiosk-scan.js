// Kiosk: read the booking QR code with the tablet's camera, where the browser can
// (the Barcode Detection API, e.g. Chrome on Android). Elsewhere the button stays
// hidden and the code is typed, or read by a handheld scanner that types it.
(function () {
  "use strict";
  var button = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  var input = document.getElementById("kiosk-code");
  if (!button || !video || !input) {
    return;
  }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    return;
  }
  button.hidden = false;
  var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  var stream = null;

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.hidden = true;
  }

  function scan() {
    if (!stream) {
      return;
    }
    detector.detect(video).then(function (codes) {
      if (codes.length) {
        input.value = codes[0].rawValue;
        stop();
        input.form.submit();
      } else {
        window.setTimeout(scan, 250);
      }
    }).catch(function () { window.setTimeout(scan, 500); });
  }

  button.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        video.play();
        scan();
        window.setTimeout(stop, 60000); // do not leave the camera on
      })
      .catch(function () { button.hidden = true; input.focus(); });
  });
})();

// Kiosk: read the booking's QR code with the tablet's camera. The Barcode Detection API
// where the browser has it (Chrome on Android, ChromeOS, macOS); elsewhere (Chromium on
// Linux and Windows, Firefox, Safari) jsQR, vendored in static/vendor/jsqr/ (Apache-2.0),
// reads the video frames. Without a camera the button stays hidden and the code is
// typed, or read by a handheld scanner that types it.
(function () {
  "use strict";
  var button = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  var input = document.getElementById("kiosk-code");
  var status = document.getElementById("scan-status");
  if (!button || !video || !input) {
    return;
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var detector = null;
  if ("BarcodeDetector" in window) {
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (error) {
      detector = null;
    }
  }
  if (!detector && typeof window.jsQR !== "function") {
    return;
  }
  button.hidden = false;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var giveUp = null;

  function say(text) {
    if (status) {
      status.textContent = text || "";
      status.hidden = !text;
    }
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    if (giveUp) {
      window.clearTimeout(giveUp);
      giveUp = null;
    }
    video.hidden = true;
  }

  function found(text) {
    input.value = text.trim();
    stop();
    say("");
    input.form.submit();
  }

  function readFrame() {
    // jsQR: the frame scaled down to at most 640 px wide is enough for a held-up code.
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height) {
      return null;
    }
    var scale = Math.min(1, 640 / width);
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    return code && code.data ? code.data : null;
  }

  function scan() {
    if (!stream) {
      return;
    }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) {
          found(codes[0].rawValue);
        } else {
          window.setTimeout(scan, 250);
        }
      }).catch(function () { window.setTimeout(scan, 500); });
      return;
    }
    var text = null;
    try {
      text = readFrame();
    } catch (error) {
      text = null;
    }
    if (text) {
      found(text);
    } else {
      window.setTimeout(scan, 250);
    }
  }

  button.addEventListener("click", function () {
    if (stream) {
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        say(button.getAttribute("data-looking"));
        var playing = video.play();
        if (playing && playing.catch) {
          playing.catch(function () {});
        }
        scan();
        giveUp = window.setTimeout(function () { // do not leave the camera on
          stop();
          say("");
        }, 60000);
      })
      .catch(function () {
        button.hidden = true;
        say(button.getAttribute("data-no-camera"));
        input.focus();
      });
  });
})();
